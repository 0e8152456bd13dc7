// Plain <textarea>; Send reads .value.
import { $, composerAttrs, isSendKey, mountSendButton, startPolling } from './common.js';

const ta = composerAttrs(document.createElement('textarea'));
ta.rows = 3;
$('#composer-area').append(ta);
const doSend = mountSendButton({ getText: () => ta.value, clear: () => { ta.value = ''; } });
ta.addEventListener('keydown', (e) => {
  if (isSendKey(e)) { e.preventDefault(); doSend(); }
});
startPolling();
