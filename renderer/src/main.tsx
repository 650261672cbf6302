import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { FIRST_PAGE } from './feed/LiveFeed.js';
import { prefetchFirstPage } from './feed/prefetch.js';
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
  if (window.location.hash === '' || window.location.hash.startsWith('#/feed')) {
    // Give the feed's first page a head start, but never hold the page back for long.
    await Promise.race([prefetchFirstPage(client.api, FIRST_PAGE), new Promise((resolve) => setTimeout(resolve, 150))]);
  }
  root.render(
    <StrictMode>
      <ClientProvider client={client}>
        <App />
      </ClientProvider>
    </StrictMode>,
  );
  performance.mark('hookwatch:render-called');
}
