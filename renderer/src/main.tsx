import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { ClientProvider } from './hooks.js';
import { connect } from './transport/client.js';
import './styles.css';

performance.mark('hookwatch:script-start');
const root = createRoot(document.getElementById('root')!);
const client = connect();
if ('error' in client) {
  root.render(
    <main className="screen">
      <h1>Hookwatch</h1>
      <p role="alert">{client.error}</p>
    </main>,
  );
} else {
  root.render(
    <StrictMode>
      <ClientProvider client={client}>
        <App />
      </ClientProvider>
    </StrictMode>,
  );
  performance.mark('hookwatch:render-called');
}
