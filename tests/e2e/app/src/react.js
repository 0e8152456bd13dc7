// React-controlled <textarea>. Send reads React state, never the DOM, so a raw
// `el.value = x` that React does not notice sends the stale state.
import { createElement as h, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { $, config, isSendKey, send, startPolling } from './common.js';

function Composer() {
  const [text, setText] = useState('');
  const doSend = () => send(text, () => setText(''));
  return h('div', { className: 'composer-row' },
    h('textarea', {
      id: 'composer',
      'aria-label': 'Message',
      rows: 3,
      maxLength: config.maxLength || undefined,
      value: text,
      onChange: (e) => setText(e.target.value),
      onKeyDown: (e) => {
        if (isSendKey(e.nativeEvent)) { e.preventDefault(); doSend(); }
      },
    }),
    h('button', { type: 'button', id: 'send', onClick: doSend }, 'Send'));
}

createRoot($('#composer-area')).render(h(Composer));
startPolling();
