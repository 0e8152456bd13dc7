// A real ProseMirror editor (schema-basic). Send reads the ProseMirror doc.
import { EditorState } from 'prosemirror-state';
import { EditorView } from 'prosemirror-view';
import { schema } from 'prosemirror-schema-basic';
import { keymap } from 'prosemirror-keymap';
import { baseKeymap, splitBlock } from 'prosemirror-commands';
import { $, config, mountSendButton, startPolling } from './common.js';

const text = () => view.state.doc.textBetween(0, view.state.doc.content.size, '\n');
const attributes = { id: 'composer', 'aria-label': 'Message', role: 'textbox', 'aria-multiline': 'true' };
if (config.maxLength) attributes['data-max-length'] = String(config.maxLength);

const holder = document.createElement('div');
$('#composer-area').append(holder);
let doSend = () => {};
const view = new EditorView(holder, {
  state: EditorState.create({
    schema,
    plugins: [
      keymap({ Enter: () => { doSend(); return true; }, 'Shift-Enter': splitBlock }),
      keymap(baseKeymap),
    ],
  }),
  attributes,
});
doSend = mountSendButton({
  getText: text,
  clear: () => view.dispatch(view.state.tr.delete(0, view.state.doc.content.size)),
});
window.__pmView = view; // for debugging only; tests must not rely on it
startPolling();
