// A real Lexical plain-text editor. Send reads the Lexical editor state.
import {
  $createParagraphNode, $getRoot, $getSelection, COMMAND_PRIORITY_HIGH, KEY_ENTER_COMMAND, createEditor,
} from 'lexical';
import { registerPlainText } from '@lexical/plain-text';
import { $, composerAttrs, isSendKey, mountSendButton, startPolling } from './common.js';

const el = composerAttrs(document.createElement('div'), { contentEditable: true });
el.contentEditable = 'true';
$('#composer-area').append(el);

const editor = createEditor({ namespace: 'chat', onError: (e) => console.error(e) });
editor.setRootElement(el);
registerPlainText(editor);
// Same as @lexical/react's ClearEditorPlugin (CLEAR_EDITOR_COMMAND).
const reset = () => editor.update(() => {
  const root = $getRoot();
  const selection = $getSelection();
  const paragraph = $createParagraphNode();
  root.clear();
  root.append(paragraph);
  if (selection !== null) paragraph.select();
});
reset();

const doSend = mountSendButton({
  getText: () => editor.getEditorState().read(() => $getRoot().getTextContent()),
  clear: reset,
});
editor.registerCommand(KEY_ENTER_COMMAND, (e) => {
  if (!e || !isSendKey(e)) return false; // Shift+Enter: plain-text inserts a line break
  e.preventDefault();
  doSend();
  return true;
}, COMMAND_PRIORITY_HIGH);
window.__lexicalEditor = editor; // for debugging only; tests must not rely on it
startPolling();
