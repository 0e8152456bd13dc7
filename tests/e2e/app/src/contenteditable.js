// Plain <div contenteditable>; Send reads innerText.
import { $, composerAttrs, isSendKey, mountSendButton, startPolling } from './common.js';

const div = composerAttrs(document.createElement('div'), { contentEditable: true });
div.contentEditable = 'true';
$('#composer-area').append(div);
const doSend = mountSendButton({ getText: () => div.innerText, clear: () => div.replaceChildren() });
div.addEventListener('keydown', (e) => {
  if (isSendKey(e)) { e.preventDefault(); doSend(); }
});
startPolling();
