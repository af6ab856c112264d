// The ONE message protocol between the extension host (src/vscode/panel.ts, src/panel/host.ts) and the cost panel
// webview (webview/main.ts). Every message is declared once below as a typed descriptor; both sides send and
// receive only through the helpers in this file, so there is no stringly-typed postMessage anywhere else.
//
// Wire format (plain JSON, structured-clone safe):
//   webview → host   command       { method, params }
//   webview → host   request       { method, params, id }         (the host answers with a reply carrying that id)
//   host → webview   notification  { method, params }
//   host → webview   reply         { method: '$reply', id, ok: true, result } | { method: '$reply', id, ok: false, error }
//
// Ready handshake: the host queues every notification until the webview sends `ready`; then it flushes them in
// order. A webview that is reloaded (hidden and shown again) sends `ready` again and gets a fresh state.
//
//
// The protocol lives in three files, all re-exported here (import from this file, not from them): the wire types
// (protocol/types.ts: the ViewModel and what is inside it), the messages (protocol/messages.ts) and the two
// endpoints (protocol/endpoints.ts). Pure TypeScript: no DOM, no `vscode`, no Node.
export * from './protocol/types';
export * from './protocol/messages';
export * from './protocol/endpoints';
