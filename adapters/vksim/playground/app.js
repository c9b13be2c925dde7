// The playground page: a small VK client for the simulated VK. It knows
// only what a chat member's client would: the chats, their members and
// messages, and the snackbars of its presses. Plain JavaScript, no build.
"use strict";

const state = {
  bot: { id: 0, name: "Бот" },
  users: new Map(), // id → name
  chats: [],
  current: 0, // peer of the open chat
  messages: [],
  speaker: new Map(), // peer → the member speaking in it
};

const $ = (id) => document.getElementById(id);

async function api(path, body) {
  const init = body === undefined ? {} : {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  };
  const r = await fetch("/play/api" + path, init);
  const j = await r.json().catch(() => ({ error: r.statusText }));
  if (!r.ok) throw new Error(j.error || r.statusText);
  return j;
}

function toast(text) {
  const el = document.createElement("div");
  el.className = "toast";
  el.dataset.testid = "toast";
  el.textContent = text;
  $("toasts").append(el);
  setTimeout(() => el.remove(), 4000);
}

const fail = (e) => toast("Ошибка: " + e.message);

async function loadState() {
  const s = await api("/state");
  state.bot = s.bot;
  state.users = new Map(s.users.map((u) => [u.id, u.name]));
  state.chats = s.chats;
  if (!state.current && s.chats.length) state.current = s.chats[0].peer;
  renderChats();
  renderHead();
}

async function loadMessages() {
  if (!state.current) return;
  const peer = state.current;
  const msgs = await api(`/chats/${peer}/messages`);
  if (peer !== state.current) return;
  state.messages = msgs;
  renderMessages();
  renderPhase();
}

function chat() { return state.chats.find((c) => c.peer === state.current); }
function nameOf(id) {
  if (id === state.bot.id) return state.bot.name;
  return state.users.get(id) || `id${id}`;
}

function renderChats() {
  const ul = $("chats");
  ul.replaceChildren(...state.chats.map((c) => {
    const li = document.createElement("li");
    li.textContent = c.title;
    li.dataset.peer = c.peer;
    if (c.peer === state.current) li.className = "active";
    li.onclick = () => { open(c.peer); $("sidebar").classList.remove("open"); };
    return li;
  }));
  $("chat").hidden = !state.current;
  $("empty").hidden = !!state.current;
}

function renderHead() {
  const c = chat();
  if (!c) return;
  $("chat-title").textContent = c.title;
  $("members").textContent = c.members.length
    ? "Участники: " + c.members.map(nameOf).join(", ")
    : "Пока никого: добавьте участников";
  const sel = $("speaker");
  const want = state.speaker.get(c.peer) ?? c.members[0];
  sel.replaceChildren(...c.members.map((id) => {
    const o = document.createElement("option");
    o.value = id;
    o.textContent = nameOf(id);
    return o;
  }));
  if (want !== undefined) sel.value = String(want);
  $("send").disabled = c.members.length === 0;
}

// text appends s to el, VK mentions [id1|Анна] shown as the name.
function richText(el, s) {
  const re = /\[(id|club)(\d+)\|([^\]]*)\]/g;
  let last = 0;
  for (const m of s.matchAll(re)) {
    el.append(s.slice(last, m.index));
    const b = document.createElement("span");
    b.className = "mention";
    b.textContent = m[3];
    el.append(b);
    last = m.index + m[0].length;
  }
  el.append(s.slice(last));
}

function renderMessages() {
  const ol = $("messages");
  const atBottom = ol.scrollHeight - ol.scrollTop - ol.clientHeight < 40;
  const me = Number($("speaker").value);
  ol.replaceChildren(...state.messages.map((m) => {
    const li = document.createElement("li");
    li.dataset.cmid = m.cmid;
    if (m.action) {
      li.className = "msg service";
      li.textContent = m.member === state.bot.id
        ? `${nameOf(m.from)} добавляет в беседу бота`
        : `${nameOf(m.member)} присоединяется к беседе`;
      return li;
    }
    const bot = m.from === state.bot.id;
    li.className = "msg" + (bot ? " bot" : m.from === me ? " mine" : "");
    li.dataset.testid = bot ? "bot-message" : "member-message";
    const from = document.createElement("span");
    from.className = "from";
    from.textContent = nameOf(m.from);
    li.append(from);
    const body = document.createElement("span");
    body.className = "text";
    richText(body, m.text);
    li.append(body);
    if (m.edited) {
      const e = document.createElement("span");
      e.className = "edited";
      e.textContent = " (изменено)";
      li.append(e);
    }
    if (m.keyboard && m.keyboard.buttons && m.keyboard.buttons.length) li.append(keyboard(m));
    return li;
  }));
  if (atBottom) ol.scrollTop = ol.scrollHeight;
}

function keyboard(m) {
  const kb = document.createElement("div");
  kb.className = "kb";
  m.keyboard.buttons.forEach((row, r) => {
    const div = document.createElement("div");
    div.className = "kb-row";
    row.forEach((b, c) => {
      const btn = document.createElement("button");
      btn.type = "button";
      btn.textContent = b.action.label || b.action.type;
      btn.className = b.color || "";
      btn.dataset.testid = "button";
      btn.onclick = () => press(m.cmid, r, c);
      div.append(btn);
    });
    kb.append(div);
  });
  return kb;
}

async function press(cmid, row, column) {
  const from = Number($("speaker").value);
  if (!from) return toast("Сначала добавьте участника");
  await api(`/chats/${state.current}/press`, { from, cmid, row, column }).catch(fail);
}

// The phase panel reads the game's phase and deadline off the bot's
// messages, as a player reading the chat would.
const phases = [
  [/Регистрация открыта, на неё ([^:]+):/, "Регистрация"],
  [/Время на обсуждение: ([^.]+)\./, "Обсуждение"],
  [/Время на выбор: ([^.]+)\./, "Выбор отвечающего"],
  [/[Вв]ремя на ответ: ([^.]+)\./, "Ответ"],
  [/Следующий вопрос через ([^.]+)\./, "Пауза"],
  [/Игра окончена|Игру остановил/, "Игра окончена"],
];

function seconds(s) {
  let total = 0;
  for (const m of s.matchAll(/(\d+) (час|минут|секунд)/g)) {
    total += Number(m[1]) * { "час": 3600, "минут": 60, "секунд": 1 }[m[2]];
  }
  return total;
}

let deadline = 0;
function renderPhase() {
  deadline = 0;
  let name = "Игры нет";
  for (let i = state.messages.length - 1; i >= 0 && name === "Игры нет"; i--) {
    const m = state.messages[i];
    if (m.from !== state.bot.id) continue;
    for (const [re, phase] of phases) {
      const found = m.text.match(re);
      if (!found) continue;
      name = phase;
      if (found[1]) deadline = Date.parse(m.edited || m.at) + seconds(found[1]) * 1000;
      break;
    }
  }
  $("phase-name").textContent = name;
  tick();
}

function tick() {
  const left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
  $("phase-left").textContent = deadline ? `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}` : "";
}

async function open(peer) {
  state.current = peer;
  state.messages = [];
  renderChats();
  renderHead();
  await loadMessages().catch(fail);
}

function listen() {
  const es = new EventSource("/play/api/events");
  es.onopen = () => { loadState().then(loadMessages).catch(fail); };
  es.onmessage = (e) => {
    const u = JSON.parse(e.data);
    if (u.kind === "chat") loadState().catch(fail);
    if ((u.kind === "message" || u.kind === "edit") && u.peer === state.current) loadMessages().catch(fail);
    if (u.kind === "snackbar" && u.peer === state.current) toast(`${nameOf(u.user)}: ${u.text}`);
  };
}

function init() {
  $("menu").onclick = () => $("sidebar").classList.toggle("open");
  $("new-chat").onsubmit = async (e) => {
    e.preventDefault();
    try {
      const c = await api("/chats", { title: $("new-chat-title").value });
      $("new-chat-title").value = "";
      await loadState();
      await open(c.peer);
    } catch (err) { fail(err); }
  };
  $("add-member").onsubmit = async (e) => {
    e.preventDefault();
    try {
      const u = await api(`/chats/${state.current}/members`, { name: $("member-name").value });
      $("member-name").value = "";
      state.speaker.set(state.current, state.speaker.get(state.current) ?? u.id);
      await loadState();
    } catch (err) { fail(err); }
  };
  $("speaker").onchange = () => { state.speaker.set(state.current, Number($("speaker").value)); renderMessages(); };
  const send = async () => {
    const text = $("text").value.trim();
    const from = Number($("speaker").value);
    if (!text || !from) return;
    try {
      await api(`/chats/${state.current}/messages`, { from, text });
      $("text").value = "";
    } catch (err) { fail(err); }
  };
  $("composer").onsubmit = (e) => { e.preventDefault(); send(); };
  $("text").onkeydown = (e) => {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); send(); }
  };
  setInterval(tick, 250);
  listen();
}

init();
