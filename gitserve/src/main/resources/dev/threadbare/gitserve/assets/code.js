// threadbare code browser: a small ES module, no build step.
// highlight.js (from the org.webjars:highlightjs WebJar) is loaded before as a classic script.

const branch = document.getElementById('branch');
if (branch) {
  branch.addEventListener('change', () => {
    if (branch.value) window.location.assign(branch.value);
  });
}

for (const button of document.querySelectorAll('button[data-copy]')) {
  button.addEventListener('click', async () => {
    const input = document.getElementById(button.dataset.copy);
    try {
      await navigator.clipboard.writeText(input.value);
    } catch {
      input.select();
      document.execCommand('copy');
    }
    button.textContent = 'Copied';
    setTimeout(() => { button.textContent = 'Copy'; }, 1500);
  });
}

const hljs = window.hljs;
if (hljs) {
  const source = document.getElementById('source');
  if (source) hljs.highlightElement(source);
  const blame = document.getElementById('blame');
  if (blame) {
    const language = blame.dataset.language;
    for (const code of blame.querySelectorAll('td.code code')) {
      const text = code.textContent;
      const result = language && hljs.getLanguage(language)
        ? hljs.highlight(text, { language, ignoreIllegals: true })
        : null;
      if (result) {
        code.innerHTML = result.value;
        code.classList.add('hljs');
      }
    }
  }
}

// Blame → conversation: hovering a blamed line (or pressing its bubble) shows, in place, the
// chat message that wrote it and the thread around it, from /api/v1/channels/<c>/conversation.
const blameTable = document.getElementById('blame');
if (blameTable && blameTable.dataset.conversation) {
  const endpoint = blameTable.dataset.conversation;
  const cache = new Map();
  let card = null;
  let pinned = false;
  let showing = null;
  let hoverTimer = 0;

  const el = (tag, attrs = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (key === 'class') node.className = value;
      else if (value !== undefined && value !== null) node.setAttribute(key, value);
    }
    for (const child of children.flat()) if (child !== null && child !== undefined) node.append(child);
    return node;
  };

  // Slack mrkdwn, the parts a code conversation uses: ``` blocks, `code`, *bold*, _italic_,
  // ~strike~, <url|label> links, <@U…> mentions. Built as DOM nodes, never as HTML strings.
  const inline = (text) => {
    const out = [];
    const pattern = /`([^`\n]+)`|\*([^*\n]+)\*|_([^_\n]+)_|~([^~\n]+)~|<(https?:[^>|]+)(?:\|([^>]+))?>|<@([A-Z0-9]+)(?:\|([^>]+))?>/g;
    let last = 0;
    for (const m of text.matchAll(pattern)) {
      if (m.index > last) out.push(decode(text.slice(last, m.index)));
      if (m[1] !== undefined) out.push(el('code', {}, decode(m[1])));
      else if (m[2] !== undefined) out.push(el('strong', {}, decode(m[2])));
      else if (m[3] !== undefined) out.push(el('em', {}, decode(m[3])));
      else if (m[4] !== undefined) out.push(el('del', {}, decode(m[4])));
      else if (m[5] !== undefined) out.push(el('a', { href: m[5], rel: 'noopener' }, decode(m[6] || m[5])));
      else out.push(el('span', { class: 'mention' }, '@' + (m[8] || m[7])));
      last = m.index + m[0].length;
    }
    if (last < text.length) out.push(decode(text.slice(last)));
    return out;
  };
  const decode = (s) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  const mrkdwn = (text) => {
    const nodes = [];
    const parts = text.split('```');
    parts.forEach((part, i) => {
      if (i % 2 === 1) {
        nodes.push(el('pre', {}, decode(part.replace(/^[a-z0-9+-]*\n/i, '').replace(/\n$/, ''))));
        return;
      }
      const lines = part.replace(/^\n|\n$/g, '').split('\n');
      lines.forEach((line, j) => {
        if (line.startsWith('&gt; ')) nodes.push(el('blockquote', {}, inline(line.slice(5))));
        else {
          nodes.push(...inline(line));
          if (j < lines.length - 1) nodes.push(el('br'));
        }
      });
    });
    return nodes;
  };

  const when = (ts) => {
    const d = new Date(Number(ts.split('.')[0]) * 1000);
    return d.toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
  };

  const render = (row, data) => {
    const v = data.version;
    const messages = data.messages || [];
    const open = v.threadUrl || v.messageUrl || v.permalink;
    const head = el('header', {},
      el('strong', {}, data.threadTs ? 'Thread' : 'Message'),
      ' that wrote line ', el('span', { class: 'line-no' }, row.id.slice(1)),
      ' · ', el('a', { href: row.querySelector('a.commit').href, class: 'card-commit' }, v.id.slice(0, 7)),
      el('span', { class: 'spacer' }),
      open ? el('a', { href: open, class: 'open-chat', id: 'open-in-chat' }, 'Open in chat') : null,
      el('button', { type: 'button', class: 'close', 'aria-label': 'Close', title: 'Close (Esc)' }, '×'));
    const list = el('ol', { class: 'messages' });
    if (!data.found || messages.length === 0) {
      list.append(el('li', { class: 'gone' },
        'The chat no longer has this message (deleted?). The commit says: ', el('em', {}, v.subject)));
    }
    for (const m of messages) {
      const reactions = el('div', { class: 'reactions' },
        (m.reactions || []).map((r) => el('span', {
          class: 'reaction', title: (r.users || []).join(', ') + ' reacted with :' + r.name + ':',
        }, ':' + r.name.replace(/::skin-tone-\d$/, '') + ':', el('b', {}, String(r.count)))));
      const initials = (m.name || m.user).split(/\s+/).map((w) => w[0]).join('').slice(0, 2).toUpperCase();
      list.append(el('li', { class: 'message' + (m.focus ? ' focus' : ''), 'data-ts': m.ts },
        el('span', { class: 'avatar', 'aria-hidden': 'true' }, initials),
        el('div', { class: 'body' },
          el('div', { class: 'meta' }, el('strong', { class: 'name' }, m.name || m.user), ' ',
            el('span', { class: 'time' }, when(m.ts)), m.edited ? el('span', { class: 'time' }, ' (edited)') : null,
            m.focus ? el('span', { class: 'wrote' }, 'wrote this line') : null),
          el('div', { class: 'text' }, mrkdwn(m.text || '')),
          reactions)));
    }
    const box = el('aside', { id: 'conversation', class: 'conversation', role: 'dialog', 'aria-label': 'Conversation' }, head, list);
    box.querySelector('.close').addEventListener('click', hide);
    return box;
  };

  const place = (row) => {
    const rect = row.getBoundingClientRect();
    const code = row.querySelector('td.code').getBoundingClientRect();
    card.style.top = `${window.scrollY + rect.bottom + 4}px`;
    card.style.left = `${Math.max(8, window.scrollX + code.left)}px`;
  };

  const load = async (commit) => {
    if (!cache.has(commit)) {
      cache.set(commit, fetch(`${endpoint}?rev=${encodeURIComponent(commit)}`, { credentials: 'same-origin' })
        .then(async (r) => {
          const body = await r.json();
          if (!r.ok) throw new Error(body.error || r.statusText);
          return body;
        }));
    }
    return cache.get(commit);
  };

  async function show(row, pin) {
    pinned = pinned || pin;
    if (showing === row && card) { if (pin) card.classList.add('pinned'); return; }
    showing = row;
    let data;
    try {
      data = await load(row.dataset.commit);
    } catch (e) {
      data = { version: { id: row.dataset.commit, subject: String(e.message) }, messages: [], found: false };
    }
    if (showing !== row) return;
    const next = render(row, data);
    if (card) card.replaceWith(next); else document.body.append(next);
    card = next;
    card.classList.toggle('pinned', pinned);
    card.addEventListener('mouseenter', () => clearTimeout(hoverTimer));
    card.addEventListener('mouseleave', () => { if (!pinned) hoverTimer = setTimeout(hide, 300); });
    place(row);
    const focus = card.querySelector('li.focus');
    if (focus) card.scrollTop = Math.max(0, focus.offsetTop - card.querySelector('header').offsetHeight - 8);
    for (const r of blameTable.querySelectorAll('tr.explained')) r.classList.remove('explained');
    for (const r of blameTable.querySelectorAll(`tr[data-commit="${row.dataset.commit}"]`)) r.classList.add('explained');
  }

  function hide() {
    clearTimeout(hoverTimer);
    if (card) card.remove();
    card = null;
    showing = null;
    pinned = false;
    for (const r of blameTable.querySelectorAll('tr.explained')) r.classList.remove('explained');
  }

  for (const row of blameTable.querySelectorAll('tr[data-commit]')) {
    const why = row.querySelector('button.why');
    if (!why) continue;
    why.addEventListener('click', (event) => { event.stopPropagation(); pinned = false; showing = null; show(row, true); });
    row.querySelector('td.meta').addEventListener('mouseenter', () => {
      if (pinned) return;
      clearTimeout(hoverTimer);
      hoverTimer = setTimeout(() => show(row, false), 350);
    });
    row.querySelector('td.meta').addEventListener('mouseleave', () => {
      clearTimeout(hoverTimer);
      if (!pinned) hoverTimer = setTimeout(hide, 300);
    });
  }
  document.addEventListener('keydown', (event) => { if (event.key === 'Escape') hide(); });
  document.addEventListener('click', (event) => { if (card && !card.contains(event.target)) hide(); });
}
