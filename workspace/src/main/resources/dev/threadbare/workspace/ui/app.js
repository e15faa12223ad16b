// threadbare local workspace web UI: plain ES module, no build step.
// It talks to the same Slack Web API as apps do (with its session token) and listens to /ui/live.

const $ = (id) => document.getElementById(id);
const state = { token: null, me: null, users: new Map(), channels: [], channel: null, thread: null, live: null };
const QUICK_EMOJI = ['thumbsup', 'white_check_mark', 'eyes', 'tada', 'heart'];

async function api(method, params = {}) {
  const response = await fetch(`/api/${method}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json; charset=utf-8', Authorization: `Bearer ${state.token}` },
    body: JSON.stringify(params),
  });
  const body = await response.json();
  if (!body.ok) {
    const error = new Error(`${method}: ${body.error}`);
    error.code = body.error;
    throw error;
  }
  return body;
}

// ---- Slack text: what a client sends, and how it is shown

function escapeSlack(raw) {
  const url = /https?:\/\/[^\s<>"`]+[^\s<>"`.,;:!?)\]]/g;
  let out = '';
  let at = 0;
  const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  for (const match of raw.matchAll(url)) {
    out += esc(raw.slice(at, match.index)) + '<' + match[0].replace(/&/g, '&amp;') + '>';
    at = match.index + match[0].length;
  }
  return out + esc(raw.slice(at));
}

const unescapeSlack = (s) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === 'class') node.className = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (value !== undefined && value !== null && value !== false) node.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat()) if (child !== null && child !== undefined) node.append(child);
  return node;
}

// ---- icons and emoji ship with the app (bootstrap-icons; Twemoji by Slack short name)

function icon(name) {
  return el('span', { class: 'icon', 'aria-hidden': 'true', style: `--icon: url(/ui/icons/${name}.svg)` });
}

function emoji(name) {
  const code = `:${name}:`;
  const img = el('img', { class: 'emoji', src: `/ui/emoji/${encodeURIComponent(name)}.svg`, alt: code, title: code, 'data-name': name });
  // a name the set does not know is shown as Slack shows it: the code itself
  img.addEventListener('error', () => img.replaceWith(code), { once: true });
  return img;
}

// ---- Slack mrkdwn, rendered as Slack renders it

// <@U…>, <#C…|name>, <!here>, <url|label>
function renderAngle(all, target, label) {
  const text = label !== undefined ? unescapeSlack(label) : null;
  if (target.startsWith('@')) return el('span', { class: 'mention', 'data-user': target.slice(1) }, '@' + userName(target.slice(1)));
  if (target.startsWith('#')) {
    const id = target.slice(1);
    return el('a', { class: 'channel-mention', href: `#/${id}` }, '#' + (text || channelName(id)));
  }
  if (target.startsWith('!')) {
    const special = target.slice(1).split('^')[0];
    return el('span', { class: 'mention' }, '@' + (text || (special.startsWith('subteam') ? 'group' : special)));
  }
  if (/^(https?:|mailto:)/.test(target)) return el('a', { href: unescapeSlack(target), target: '_blank', rel: 'noopener' }, text || unescapeSlack(target));
  return unescapeSlack(all);
}

const EMPHASIS = /(^|[\s([{"'.,;:!?\-\u0001])([*_~])(?=[^\s*_~])([^\n]*?[^\s\u0000-\u0001])\2(?=$|[\s)\]}"'.,;:!?\-\u0000])/g;
const EMPHASIS_TAG = { '*': 'strong', _: 'em', '~': 'del' };

// One line of prose: code spans and <…> first (nothing inside them is formatting), then
// *bold*, _italic_, ~strike~ (nested), then :emoji: codes.
function renderInline(text) {
  const tokens = [];
  const masked = text.replace(/`([^`\n]+)`|<([^<>\s|]+)(?:\|([^<>]*))?>/g, (all, code, target, label) => {
    tokens.push(code !== undefined ? el('code', {}, unescapeSlack(code)) : renderAngle(all, target, label));
    return `\u0000${tokens.length - 1}\u0001`;
  });
  return emphasis(masked, tokens);
}

function emphasis(text, tokens) {
  const out = [];
  let at = 0;
  for (const m of text.matchAll(EMPHASIS)) {
    const start = m.index + m[1].length;
    out.push(...plain(text.slice(at, start), tokens));
    out.push(el(EMPHASIS_TAG[m[2]], {}, emphasis(m[3], tokens)));
    at = m.index + m[0].length;
  }
  out.push(...plain(text.slice(at), tokens));
  return out;
}

function plain(text, tokens) {
  const out = [];
  let at = 0;
  for (const m of text.matchAll(/\u0000(\d+)\u0001|:([a-z0-9_+'-]+(?:::skin-tone-[2-6])?):/g)) {
    if (m.index > at) out.push(unescapeSlack(text.slice(at, m.index)));
    out.push(m[1] !== undefined ? tokens[Number(m[1])] : emoji(m[2]));
    at = m.index + m[0].length;
  }
  if (at < text.length) out.push(unescapeSlack(text.slice(at)));
  return out;
}

const QUOTE = /^(?:&gt;|>)\s?/;
const BULLET = /^\s*(?:[•◦▪\-*])\s+/;
const NUMBERED = /^\s*\d+[.)]\s+/;

// Prose between code fences: quotes (> lines), bulleted and numbered lists, and lines of text.
function renderProse(text) {
  const lines = text.split('\n');
  const parts = [];
  let i = 0;
  const run = (test) => {
    const taken = [];
    while (i < lines.length && test.test(lines[i])) taken.push(lines[i++].replace(test, ''));
    return taken;
  };
  let afterBlock = true;
  while (i < lines.length) {
    if (!afterBlock) parts.push('\n'); // a block element already breaks the line
    afterBlock = true;
    if (QUOTE.test(lines[i])) {
      parts.push(el('blockquote', {}, renderProse(run(QUOTE).join('\n'))));
    } else if (BULLET.test(lines[i])) {
      parts.push(el('ul', {}, run(BULLET).map((line) => el('li', {}, renderInline(line)))));
    } else if (NUMBERED.test(lines[i])) {
      const first = Number(lines[i].match(/\d+/)[0]);
      parts.push(el('ol', first !== 1 ? { start: first } : {}, run(NUMBERED).map((line) => el('li', {}, renderInline(line)))));
    } else {
      parts.push(...renderInline(lines[i++]));
      afterBlock = false;
    }
  }
  return parts;
}

function renderText(text) {
  const container = el('div', { class: 'text' });
  let at = 0;
  while (at < text.length) {
    const open = text.indexOf('```', at);
    const close = open < 0 ? -1 : text.indexOf('```', open + 3);
    if (open < 0 || close < 0) { container.append(...renderProse(text.slice(at))); break; }
    container.append(...renderProse(text.slice(at, open).replace(/\n$/, '')));
    let code = unescapeSlack(text.slice(open + 3, close).replace(/^\n/, '').replace(/\n$/, ''));
    // a leading link markup inside a fence is shown as its URL
    code = code.replace(/<((?:https?|mailto):[^<>|\s]+)(?:\|([^<>]*))?>/g, (all, url, label) => label || url);
    const first = code.split('\n', 1)[0];
    const lang = /^[A-Za-z0-9+#_-]{1,20}$/.test(first) && code.includes('\n') ? first.toLowerCase() : null;
    const codeEl = el('code', lang ? { class: `language-${lang}` } : {}, code);
    container.append(el('pre', {}, codeEl));
    highlight(codeEl);
    at = close + 3;
    if (text[at] === '\n') at++;
  }
  return container;
}

let hljsLoading = null;
function highlight(codeEl) {
  if (!hljsLoading) {
    hljsLoading = new Promise((resolve) => {
      document.head.append(el('link', { rel: 'stylesheet', href: '/ui/vendor/github.min.css' }));
      const script = el('script', { src: '/ui/vendor/highlight.min.js' });
      script.addEventListener('load', () => resolve(window.hljs));
      document.head.append(script);
    });
  }
  hljsLoading.then((hljs) => {
    if (!hljs || codeEl.dataset.highlighted) return;
    const lang = (codeEl.className.match(/language-(\S+)/) || [])[1];
    if (lang && !hljs.getLanguage(lang)) codeEl.className = '';
    hljs.highlightElement(codeEl);
  });
}

const userName = (id) => (state.users.get(id) || {}).name || id;
const channelName = (id) => (state.channels.find((c) => c.id === id) || {}).name || id;
const domId = (ts) => 'm-' + ts.replace('.', '-');
const time = (ts) => new Date(parseFloat(ts) * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

// ---- messages

function renderMessage(m, inThread) {
  const mine = m.user === state.me.id;
  const item = el('li', { class: 'message' + (m.is_ephemeral ? ' ephemeral' : ''), id: (inThread ? 't' : '') + domId(m.ts), 'data-ts': m.ts });
  const meta = el('div', { class: 'meta' }, el('strong', {}, m.subtype === 'tombstone' ? '' : userName(m.user)), el('time', { datetime: m.ts }, time(m.ts)));
  if (m.bot_id) meta.firstChild.after(el('span', { class: 'tag' }, 'APP'));
  if (m.subtype === 'thread_broadcast') meta.append(' · replied to a thread');
  if (m.is_ephemeral) meta.append(' · only visible to you');
  item.append(meta, renderText(m.text || ''));
  if (m.edited) item.append(el('span', { class: 'edited' }, '(edited)'));
  if (m.files && m.files.length) item.append(el('div', { class: 'files' }, m.files.map(renderFile)));
  if (m.reactions && m.reactions.length) {
    item.append(el('div', { class: 'reactions' }, m.reactions.map((r) => el('button', {
      class: 'reaction' + (r.users.includes(state.me.id) ? ' mine' : ''), 'data-name': r.name, title: r.users.map(userName).join(', '),
      onclick: () => toggleReaction(m, r.name),
    }, emoji(r.name), ` ${r.count}`))));
  }
  if (!inThread && m.reply_count) {
    item.append(el('button', { class: 'thread-link', onclick: () => openThread(m.ts) }, `${m.reply_count} ${m.reply_count === 1 ? 'reply' : 'replies'}`));
  }
  if (m.subtype !== 'tombstone' && !m.is_ephemeral) {
    const actions = el('div', { class: 'actions' },
      el('button', { class: 'react-button', title: 'React', 'aria-label': 'React', onclick: (e) => showPicker(e.currentTarget, m) }, icon('emoji-smile')),
      inThread ? null : el('button', { class: 'reply-button', title: 'Reply in thread', 'aria-label': 'Reply in thread', onclick: () => openThread(m.thread_ts || m.ts) }, icon('chat-text')),
      mine ? el('button', { class: 'edit-button', title: 'Edit', 'aria-label': 'Edit', onclick: () => startEdit(item, m) }, icon('pencil')) : null,
      mine ? el('button', { class: 'delete-button', title: 'Delete', 'aria-label': 'Delete', onclick: () => deleteMessage(m) }, icon('trash')) : null);
    item.append(actions);
  }
  return item;
}

function renderFile(f) {
  const box = el('div', { class: 'file', 'data-file': f.id }, el('a', { href: f.url_private, target: '_blank', rel: 'noopener' }, f.title || f.name), ` · ${f.pretty_type || f.filetype} · ${f.size} B`);
  if (f.preview !== undefined) {
    const code = el('code', {}, f.preview);
    box.append(el('pre', {}, code));
    highlight(code);
  }
  return box;
}

function showPicker(button, m) {
  const existing = button.parentElement.querySelector('.emoji-picker');
  if (existing) { existing.remove(); return; }
  button.after(el('span', { class: 'emoji-picker' }, QUICK_EMOJI.map((name) => el('button', {
    'data-emoji': name, title: `:${name}:`, onclick: () => toggleReaction(m, name),
  }, emoji(name)))));
}

async function toggleReaction(m, name) {
  const current = (m.reactions || []).find((r) => r.name === name);
  const method = current && current.users.includes(state.me.id) ? 'reactions.remove' : 'reactions.add';
  await api(method, { channel: state.channel.id, timestamp: m.ts, name });
}

function startEdit(item, m) {
  const input = el('textarea', { class: 'edit-input', rows: 3 });
  input.value = unescapeSlack(m.text.replace(/<((?:https?|mailto):[^<>|\s]+)>/g, '$1'));
  const save = el('button', { class: 'save-edit', onclick: async () => { await api('chat.update', { channel: state.channel.id, ts: m.ts, text: escapeSlack(input.value) }); } }, 'Save');
  const cancel = el('button', { onclick: () => refreshMessage(m.ts) }, 'Cancel');
  item.querySelector('.text').replaceWith(el('div', { class: 'editor' }, input, save, cancel));
  input.focus();
}

async function deleteMessage(m) {
  if (!window.confirm('Delete this message?')) return;
  await api('chat.delete', { channel: state.channel.id, ts: m.ts });
}

async function fetchMessage(ts) {
  try {
    return (await api('reactions.get', { channel: state.channel.id, timestamp: ts })).message;
  } catch (e) {
    return null;
  }
}

async function refreshMessage(ts) {
  const m = await fetchMessage(ts);
  for (const [prefix, inThread] of [['', false], ['t', true]]) {
    const node = document.getElementById(prefix + domId(ts));
    if (!node) continue;
    if (m) node.replaceWith(renderMessage(m, inThread)); else node.remove();
  }
}

function appendMessage(list, m, inThread) {
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  const existing = document.getElementById((inThread ? 't' : '') + domId(m.ts));
  if (existing) existing.replaceWith(renderMessage(m, inThread)); else list.append(renderMessage(m, inThread));
  if (atBottom) list.scrollTop = list.scrollHeight;
}

// ---- channels and threads

async function loadChannels() {
  const all = [];
  let cursor = '';
  do {
    const page = await api('conversations.list', { types: 'public_channel,private_channel', limit: 200, cursor });
    all.push(...page.channels);
    cursor = page.response_metadata.next_cursor;
  } while (cursor);
  state.channels = all;
  $('channels').replaceChildren(...all.map((c) => el('li', {}, el('button', {
    class: 'channel-link' + (state.channel && state.channel.id === c.id ? ' active' : '') + (c.is_member ? '' : ' not-member'),
    'data-id': c.id, 'data-name': c.name, onclick: () => { location.hash = `#/${c.id}`; },
  }, icon(c.is_private ? 'lock-fill' : 'hash'), c.name))));
}

const PAGE = 50;

async function openChannel(id, focusTs) {
  const channel = state.channels.find((c) => c.id === id) || state.channels.find((c) => c.name === 'general') || state.channels[0];
  if (!channel) return;
  state.channel = channel;
  state.older = null;
  $('app').classList.remove('show-sidebar');
  document.querySelectorAll('.channel-link').forEach((b) => b.classList.toggle('active', b.dataset.id === channel.id));
  $('channel-title').replaceChildren(icon(channel.is_private ? 'lock-fill' : 'hash'), channel.name);
  $('channel-title').append(' ', el('a', { id: 'channel-code', class: 'channel-code', href: `/code/${encodeURIComponent(channel.name)}`, title: 'Browse this channel\'s code' }, 'code'));
  $('channel-title').append(' ', el('a', { id: 'channel-page', class: 'channel-code', href: `/channels/${encodeURIComponent(channel.name)}`, title: 'This channel\'s prod, deploys, CI and charts' }, 'page'));
  $('join-channel').hidden = channel.is_member;
  $('invite-button').hidden = !channel.is_member;
  $('composer').hidden = !channel.is_member;
  clearComposerError();
  const history = await api('conversations.history', { channel: channel.id, limit: PAGE });
  if (state.channel !== channel) return;
  state.older = history.has_more ? history.response_metadata.next_cursor : null;
  const list = $('messages');
  list.replaceChildren(historyStart(), ...history.messages.reverse().map((m) => renderMessage(m, false)));
  list.scrollTop = list.scrollHeight;
  closeThread();
  if (focusTs) openThread(focusTs);
  // a short first page leaves no scrollbar to pull: fill the view
  while (state.channel === channel && state.older && list.scrollHeight <= list.clientHeight) await loadOlder();
}

// The first item of the list: where older history loads, or the channel's beginning.
function historyStart() {
  return el('li', { id: 'history-start', class: 'history-start' },
    state.older ? 'Loading older messages…' : `This is the very beginning of #${state.channel.name}.`);
}

// Older history by cursor pagination, prepended without moving what the reader sees. One page is
// in flight at a time: callers share its promise.
function loadOlder() {
  if (!state.older) return Promise.resolve();
  if (!state.olderLoad) state.olderLoad = fetchOlder().finally(() => { state.olderLoad = null; });
  return state.olderLoad;
}

async function fetchOlder() {
  const channel = state.channel;
  const page = await api('conversations.history', { channel: channel.id, limit: PAGE, cursor: state.older });
  if (state.channel !== channel) return;
  state.older = page.has_more ? page.response_metadata.next_cursor : null;
  const list = $('messages');
  const before = list.scrollHeight - list.scrollTop;
  const fresh = page.messages.reverse().filter((m) => !document.getElementById(domId(m.ts)));
  $('history-start').replaceWith(historyStart(), ...fresh.map((m) => renderMessage(m, false)));
  list.scrollTop = list.scrollHeight - before;
}

async function openThread(ts) {
  state.thread = ts;
  $('thread').hidden = false;
  const replies = await api('conversations.replies', { channel: state.channel.id, ts });
  state.thread = replies.messages[0].ts;
  $('thread-messages').replaceChildren(...replies.messages.map((m) => renderMessage(m, true)));
  $('thread-input').focus();
}

function closeThread() {
  state.thread = null;
  $('thread').hidden = true;
}

// ---- posting

async function send(input, extra) {
  const raw = input.value;
  if (!raw.trim()) return;
  input.disabled = true;
  clearComposerError();
  try {
    await api('chat.postMessage', { channel: state.channel.id, text: escapeSlack(raw), ...extra });
    input.value = '';
  } catch (e) {
    showComposerError(input, e, raw, extra.thread_ts);
  } finally {
    input.disabled = false;
    input.focus();
  }
}

function clearComposerError() {
  document.querySelectorAll('.composer-error').forEach((n) => n.remove());
}

// An error shown under the composer that failed; a message over Slack's limit can go as a file,
// which keeps its exact bytes.
function showComposerError(input, error, raw, threadTs) {
  const form = input.closest('form');
  const box = el('div', { class: 'composer-error', role: 'alert' });
  if (error.code === 'msg_too_long') {
    const name = draftFileName(raw);
    box.append(el('span', {}, `This message is ${raw.length.toLocaleString()} characters; Slack allows 40,000. `),
      el('button', { type: 'button', class: 'send-as-file', onclick: async () => {
        try {
          await uploadBlob(new Blob([raw], { type: 'text/plain' }), name, threadTs);
          input.value = '';
          box.remove();
        } catch (e) {
          box.replaceChildren(`Upload failed: ${e.message}`);
        }
      } }, `Send as file ${name}`));
  } else {
    box.append(error.message);
  }
  box.append(el('button', { type: 'button', class: 'dismiss', 'aria-label': 'Dismiss', onclick: () => box.remove() }, icon('x-lg')));
  form.prepend(box);
}

// The path named by a draft's path line (`path`, path:, file: path), else message.txt.
function draftFileName(raw) {
  const first = raw.split('\n').find((line) => line.trim()) || '';
  const path = pathOfLine(first.trim());
  return path ? path.split('/').pop() : 'message.txt';
}

// The path a line names when it is a path line of the chat grammar, else null.
function pathOfLine(line) {
  let m = line.match(/^`([^`\s]+)`:?$/);
  if (m) return m[1];
  m = line.match(/^file:\s*(\S+)$/i);
  if (m) return m[1];
  m = line.match(/^([^\s`:]+):$/);
  if (m && /[/.]/.test(m[1])) return m[1];
  return null;
}

async function upload(fileInput, threadTs) {
  const file = fileInput.files[0];
  if (!file) return;
  await uploadBlob(file, file.name, threadTs);
  fileInput.value = '';
}

async function uploadBlob(blob, name, threadTs) {
  const { upload_url: url, file_id: id } = await api('files.getUploadURLExternal', { filename: name, length: blob.size });
  const response = await fetch(url, { method: 'POST', body: blob });
  if (!response.ok) throw new Error(`upload failed: ${response.status}`);
  await api('files.completeUploadExternal', { files: JSON.stringify([{ id, title: name }]), channel_id: state.channel.id, ...(threadTs ? { thread_ts: threadTs } : {}) });
}

// Enter sends, except inside an open code block, and after a path line, where it opens the
// code block (Slack would send the path alone, and the block would then come without its path).
function enterSends(textarea, form) {
  textarea.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter' || e.shiftKey || e.isComposing) return;
    const before = textarea.value.slice(0, textarea.selectionStart);
    const fences = (textarea.value.match(/```/g) || []).length;
    if (fences % 2 === 1) return;
    e.preventDefault();
    const lastLine = before.slice(before.lastIndexOf('\n') + 1).trim();
    if (pathOfLine(lastLine) && textarea.selectionStart === textarea.value.length) {
      textarea.setRangeText('\n```\n', textarea.selectionStart, textarea.selectionEnd, 'end');
      return;
    }
    form.requestSubmit();
  });
}

// ---- live updates

function onEvent(event) {
  if (event.type === 'channel_created' || event.type === 'member_joined_channel') {
    loadChannels().then(() => {
      if (state.channel && event.channel === state.channel.id && event.user === state.me.id) openChannel(state.channel.id);
    });
    return;
  }
  const channel = event.channel || (event.item && event.item.channel);
  if (!state.channel || channel !== state.channel.id) return;
  if (event.type === 'message' && !event.subtype || event.subtype === 'thread_broadcast' || event.subtype === 'file_share') {
    const isReply = event.thread_ts && event.thread_ts !== event.ts;
    if (!isReply || event.subtype === 'thread_broadcast') appendMessage($('messages'), event, false);
    if (isReply) {
      refreshMessage(event.thread_ts);
      if (state.thread === event.thread_ts) appendMessage($('thread-messages'), event, true);
    }
  } else if (event.subtype === 'message_changed') {
    refreshMessage(event.message.ts);
  } else if (event.subtype === 'message_deleted') {
    const prev = event.previous_message || {};
    refreshMessage(event.deleted_ts);
    if (prev.thread_ts && prev.thread_ts !== event.deleted_ts) refreshMessage(prev.thread_ts);
  } else if (event.type === 'reaction_added' || event.type === 'reaction_removed') {
    refreshMessage(event.item.ts);
  }
}

function connectLive() {
  if (state.live) state.live.close();
  state.live = new EventSource('/ui/live');
  state.live.addEventListener('slack', (e) => onEvent(JSON.parse(e.data)));
  let connections = 0;
  state.live.addEventListener('hello', () => {
    document.body.setAttribute('data-live', 'connected');
    // after a reconnect, reload what may have changed while the stream was down
    if (connections++ > 0 && state.channel) loadChannels().then(() => openChannel(state.channel.id, state.thread));
  });
}

// ---- start

async function start(session) {
  state.token = session.token;
  state.me = session.user;
  $('signin').hidden = true;
  $('app').hidden = false;
  $('me').textContent = '@' + state.me.name;
  const users = await api('users.list', { limit: 1000 });
  users.members.forEach((u) => state.users.set(u.id, u));
  await loadChannels();
  connectLive();
  await route();
  document.body.setAttribute('data-ready', 'true');
  performance.mark('threadbare-ready');
}

async function route() {
  const [, id, ts] = location.hash.split('/');
  await openChannel(id, ts);
}

function wire() {
  $('signin-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const response = await fetch('/ui/signin', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token: $('signin-token').value }) });
    const body = await response.json();
    if (body.ok) start(body); else $('signin-error').textContent = body.message || body.error;
  });
  $('signout').addEventListener('click', async () => { await fetch('/ui/signout', { method: 'POST' }); location.reload(); });
  $('composer').addEventListener('submit', (e) => { e.preventDefault(); send($('message-input'), {}); });
  $('thread-composer').addEventListener('submit', (e) => {
    e.preventDefault();
    send($('thread-input'), { thread_ts: state.thread, reply_broadcast: $('thread-broadcast').checked });
    $('thread-broadcast').checked = false;
  });
  enterSends($('message-input'), $('composer'));
  enterSends($('thread-input'), $('thread-composer'));
  $('file-input').addEventListener('change', () => upload($('file-input'), null).catch((e) => showComposerError($('message-input'), e, '', null)));
  $('thread-file-input').addEventListener('change', () => upload($('thread-file-input'), state.thread).catch((e) => showComposerError($('thread-input'), e, '', state.thread)));
  $('close-thread').addEventListener('click', closeThread);
  $('messages').addEventListener('scroll', () => {
    if ($('messages').scrollTop < 400) loadOlder();
  }, { passive: true });
  $('show-sidebar').addEventListener('click', () => $('app').classList.toggle('show-sidebar'));
  $('join-channel').addEventListener('click', async () => { await api('conversations.join', { channel: state.channel.id }); await loadChannels(); openChannel(state.channel.id); });
  $('invite-button').addEventListener('click', async () => {
    const name = (window.prompt(`Invite who to #${state.channel.name}? (user name)`) || '').trim().replace(/^@/, '');
    if (!name) return;
    const user = [...state.users.values()].find((u) => u.name === name);
    if (!user) { alert(`No user named ${name}`); return; }
    try { await api('conversations.invite', { channel: state.channel.id, users: user.id }); } catch (e) { alert(e.message); }
  });
  $('new-channel').addEventListener('click', () => { $('channel-error').textContent = ''; $('channel-dialog').showModal(); });
  $('channel-form').addEventListener('submit', async (e) => {
    if (e.submitter && e.submitter.value === 'cancel') return;
    e.preventDefault();
    try {
      const created = await api('conversations.create', { name: $('channel-name').value, is_private: $('channel-private').checked });
      $('channel-dialog').close();
      await loadChannels();
      location.hash = `#/${created.channel.id}`;
    } catch (err) {
      $('channel-error').textContent = err.message;
    }
  });
  window.addEventListener('hashchange', route);
}

wire();
fetch('/ui/session').then((r) => r.json()).then((session) => {
  if (session.ok) start(session); else $('signin').hidden = false;
});
