// Provider webhook bodies the tests post to the receiver, built in one place (TimelinesAI's message:new, as its docs show it).

/** A TimelinesAI `message:new` webhook body: one received message `uid` with `text`, in Sam Customer's chat on Dana Owner's number. */
export function timelinesMessage(uid: string, text: string): string {
  return JSON.stringify({
    event_type: 'message:new',
    chat: { full_name: 'Sam Customer', chat_id: 4811201, is_group: false, phone: '+15555550123' },
    whatsapp_account: { full_name: 'Dana Owner', email: 'dana.owner@example.com', phone: '+15555550100' },
    message: { text, direction: 'received', message_uid: uid, timestamp: '2025-03-02 15:20:11 +0000' },
  });
}
