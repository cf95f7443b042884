// The Steward sandbox page: a minimal Slack client for the sandbox's JSON API.
// Messages and views arrive rendered (HTML built by the sandbox from their Block Kit); this
// script draws the panes and turns clicks, form fields and the composer into API calls.
"use strict";

const POLL_MS = 1000;
const ui = {
  viewer: localStorage.getItem("steward-sandbox-viewer") || "",
  conversation: null, // a conversation id, or "home"
  version: -1,
  state: null,
  busy: 0,
  seen: {}, // viewer + conversation -> how many messages they have seen there
};

const $ = (id) => document.getElementById(id);

async function call(path, body) {
  ui.busy += 1;
  $("busy").hidden = false;
  try {
    const response = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ viewer: ui.viewer, ...body }),
    });
    const answer = await response.json();
    if (answer.error) toast(answer.error);
    if (answer.state) draw(answer.state);
    return answer;
  } catch (error) {
    toast("The sandbox is not answering: is `steward sandbox` still running?");
    return {};
  } finally {
    ui.busy -= 1;
    $("busy").hidden = ui.busy === 0;
  }
}

async function poll() {
  if (ui.viewer) { // also while the clock moves, so what it brings appears as it happens
    try {
      const response = await fetch("/api/state?viewer=" + encodeURIComponent(ui.viewer));
      if (response.ok) {
        const state = await response.json();
        if (state.version !== ui.version) draw(state);
      }
    } catch (error) {
      /* the next poll tries again */
    }
  }
  setTimeout(poll, POLL_MS);
}

function toast(text) {
  const box = $("toast");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, 6000);
}

// ----- drawing ---------------------------------------------------------------------------
function draw(state) {
  // An answer can arrive late: one for whoever was chosen before, or older than what is
  // on screen. Drawing it would show someone else's messages, or close a modal just opened.
  if (state.viewer !== ui.viewer || state.version < ui.version) return;
  ui.state = state;
  ui.version = state.version;
  drawViewer(state);
  $("clock").textContent = state.clock.label;
  if (!ui.conversation) ui.conversation = state.conversations[0].id;
  drawSidebar(state);
  if (ui.conversation === "home") drawHome(state);
  else drawConversation(state);
  drawModal(state);
}

function drawViewer(state) {
  const select = $("viewer");
  if (select.options.length === 0) {
    for (const person of state.people) {
      const option = document.createElement("option");
      option.value = person.id;
      option.textContent = "@" + person.name;
      select.appendChild(option);
    }
  }
  select.value = state.viewer;
  const me = state.people.find((person) => person.id === state.viewer);
  $("viewer-title").textContent = me ? me.title : "";
}

function drawSidebar(state) {
  const list = $("conversations");
  list.replaceChildren();
  for (const conversation of state.conversations) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "sb-conv" + (conversation.id === ui.conversation ? " sb-current" : "");
    button.dataset.conversation = conversation.id;
    button.textContent = conversation.name;
    const key = state.viewer + ":" + conversation.id;
    if (conversation.id === ui.conversation) ui.seen[key] = conversation.messages.length;
    const count = conversation.messages.length - (ui.seen[key] || 0);
    if (count > 0) {
      const badge = document.createElement("span");
      badge.className = "sb-count";
      badge.textContent = String(count);
      button.appendChild(badge);
    }
    list.appendChild(button);
  }
  $("home-tab").classList.toggle("sb-current", ui.conversation === "home");
  const people = $("people");
  people.replaceChildren();
  for (const person of state.people) {
    const item = document.createElement("li");
    item.textContent = "@" + person.name + " · " + person.local;
    item.title = person.title;
    people.appendChild(item);
  }
}

function drawConversation(state) {
  const conversation = state.conversations.find((c) => c.id === ui.conversation)
    || state.conversations[0];
  ui.conversation = conversation.id;
  $("pane-title").textContent = conversation.name;
  $("pane-purpose").textContent = conversation.purpose;
  $("home").hidden = true;
  const pane = $("messages");
  pane.hidden = false;
  $("composer").hidden = false;
  const atBottom = pane.scrollHeight - pane.scrollTop - pane.clientHeight < 40;
  pane.replaceChildren(...conversation.messages.map((entry) => messageNode(entry, conversation.id)));
  if (conversation.messages.length === 0) {
    const empty = document.createElement("p");
    empty.className = "sb-muted sb-empty";
    empty.textContent = "Nothing here yet.";
    pane.appendChild(empty);
  }
  if (atBottom) pane.scrollTop = pane.scrollHeight;
}

function messageNode(entry, channel) {
  const node = document.createElement("article");
  node.className = "sb-message" + (entry.ephemeral ? " sb-ephemeral" : "");
  node.dataset.channel = channel;
  node.dataset.messageTs = entry.ts;
  const meta = document.createElement("div");
  meta.className = "sb-meta";
  const author = document.createElement("strong");
  author.textContent = entry.author || "Steward";
  meta.appendChild(author);
  if (!entry.author) {
    const app = document.createElement("span");
    app.className = "sb-app";
    app.textContent = "APP";
    meta.appendChild(app);
  }
  if (entry.at) meta.appendChild(muted(entry.at));
  if (entry.ephemeral) meta.appendChild(muted("Only visible to you"));
  node.appendChild(meta);
  const body = document.createElement("div");
  body.className = "sb-body";
  body.innerHTML = entry.html; // built by the sandbox's renderer, which escapes all text
  node.appendChild(body);
  if (entry.replies && entry.replies.length) {
    const thread = document.createElement("details");
    thread.className = "sb-thread";
    thread.open = true;
    const summary = document.createElement("summary");
    summary.textContent = entry.replies.length + (entry.replies.length === 1 ? " reply" : " replies");
    thread.appendChild(summary);
    for (const reply of entry.replies) thread.appendChild(messageNode(reply, channel));
    node.appendChild(thread);
  }
  return node;
}

function muted(text) {
  const span = document.createElement("span");
  span.className = "sb-muted";
  span.textContent = text;
  return span;
}

function drawHome(state) {
  $("pane-title").textContent = "Home";
  $("pane-purpose").textContent = "Steward's App Home tab";
  $("messages").hidden = true;
  $("composer").hidden = true;
  const home = $("home");
  home.hidden = false;
  if (state.home) home.innerHTML = state.home.html;
  else home.textContent = "Opening your Home tab…";
}

function drawModal(state) {
  const layer = $("modal-layer");
  if (!state.modal) {
    layer.hidden = true;
    $("modal").replaceChildren();
    $("modal").dataset.viewId = "";
    $("modal").dataset.html = "";
    return;
  }
  const modal = $("modal");
  const sameView = modal.dataset.viewId === state.modal.view_id;
  if (sameView && modal.dataset.html === state.modal.html) return; // keep focus and cursor
  const kept = sameView ? formValues(modal) : null;
  modal.innerHTML = state.modal.html;
  modal.dataset.viewId = state.modal.view_id;
  modal.dataset.html = state.modal.html;
  if (kept) restoreValues(modal, kept); // a redraw must not wipe what the person typed
  layer.hidden = false;
}

// ----- form values -----------------------------------------------------------------------
function formValues(root) {
  const values = {};
  for (const field of root.querySelectorAll(".bk-input [data-action-id]")) {
    const block = field.dataset.blockId;
    values[block] = values[block] || {};
    values[block][field.dataset.actionId] = field.value === "" ? null : field.value;
  }
  return values;
}

// Slack's client refuses to submit a modal with an empty required input; so does this page.
function requiredAreFilled(root) {
  let filled = true;
  for (const input of root.querySelectorAll(".bk-input:not([data-optional])")) {
    const field = input.querySelector("[data-action-id]");
    if (!field || field.value !== "") continue;
    filled = false;
    let error = input.querySelector(".bk-error");
    if (!error) {
      error = document.createElement("div");
      error.className = "bk-error";
      input.appendChild(error);
    }
    error.textContent = "Please complete this required field.";
  }
  return filled;
}

function restoreValues(root, values) {
  for (const field of root.querySelectorAll(".bk-input [data-action-id]")) {
    const kept = (values[field.dataset.blockId] || {})[field.dataset.actionId];
    if (kept !== undefined && kept !== null) field.value = kept;
  }
}

// ----- actions ---------------------------------------------------------------------------
function elementAction(element) {
  const action = {
    type: element.dataset.elementType,
    action_id: element.dataset.actionId,
    block_id: element.dataset.blockId,
  };
  if (element.tagName === "BUTTON") {
    if (element.dataset.value !== undefined) action.value = element.dataset.value;
    action.text = { type: "plain_text", text: element.textContent };
  } else if (element.dataset.elementType === "users_select") {
    action.selected_user = element.value;
  } else if (element.tagName === "SELECT") {
    const option = element.options[element.selectedIndex];
    action.selected_option = {
      text: { type: "plain_text", text: option ? option.textContent : "" },
      value: element.value,
    };
  }
  return action;
}

async function act(element) {
  if (element.dataset.confirm && !(await confirmed(JSON.parse(element.dataset.confirm)))) return;
  const action = elementAction(element);
  const view = element.closest("[data-view-id]");
  if (view) {
    const values = view.classList.contains("bk-modal") ? formValues(view) : {};
    await call("/api/click", { view_id: view.dataset.viewId, action, values });
    return;
  }
  const message = element.closest("[data-message-ts]");
  if (message) {
    await call("/api/click", {
      channel: message.dataset.channel,
      ts: message.dataset.messageTs,
      action,
    });
  }
}

function plain(textObject) {
  return textObject && textObject.text ? textObject.text : "";
}

function confirmed(confirm) {
  return new Promise((resolve) => {
    $("confirm-title").textContent = plain(confirm.title) || "Are you sure?";
    $("confirm-text").textContent = plain(confirm.text);
    $("confirm-ok").textContent = plain(confirm.confirm) || "Yes";
    $("confirm-deny").textContent = plain(confirm.deny) || "Cancel";
    $("confirm-layer").hidden = false;
    const finish = (answer) => {
      $("confirm-layer").hidden = true;
      $("confirm-ok").onclick = null;
      $("confirm-deny").onclick = null;
      resolve(answer);
    };
    $("confirm-ok").onclick = () => finish(true);
    $("confirm-deny").onclick = () => finish(false);
  });
}

function openConversation(id) {
  ui.conversation = id;
  if (id === "home") {
    call("/api/home", {}); // Slack sends app_home_opened each time the tab opens
  }
  if (ui.state) draw(ui.state);
}

function chooseViewer(id) {
  ui.viewer = id;
  localStorage.setItem("steward-sandbox-viewer", id);
  ui.conversation = null;
  ui.version = -1;
  fetch("/api/state?viewer=" + encodeURIComponent(id))
    .then((response) => response.json())
    .then(draw)
    .catch(() => toast("The sandbox is not answering."));
}

function wire() {
  $("viewer").addEventListener("change", (event) => chooseViewer(event.target.value));
  $("home-tab").addEventListener("click", () => openConversation("home"));
  $("conversations").addEventListener("click", (event) => {
    const button = event.target.closest("[data-conversation]");
    if (button) openConversation(button.dataset.conversation);
  });
  for (const button of document.querySelectorAll("[data-step]")) {
    button.addEventListener("click", () => call("/api/clock", { step: button.dataset.step }));
  }
  $("shortcut").addEventListener("click", () => call("/api/shortcut", {}));
  $("composer").addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = $("composer-text");
    const text = input.value.trim();
    if (!text) return;
    if (!text.startsWith("/")) {
      toast("Steward listens for /delegate. Try: /delegate help");
      return;
    }
    input.value = "";
    await call("/api/command", { channel: ui.conversation, text });
  });
  document.body.addEventListener("click", (event) => {
    const element = event.target.closest("button[data-action-id]");
    if (element) act(element);
  });
  document.body.addEventListener("change", (event) => {
    const element = event.target.closest("select[data-dispatch]");
    if (element) act(element);
  });
  $("modal").addEventListener("click", (event) => {
    if (event.target.closest(".bk-close")) call("/api/close", {});
    if (event.target.closest(".bk-submit")) {
      const modal = $("modal");
      if (requiredAreFilled(modal)) {
        call("/api/submit", { view_id: modal.dataset.viewId, values: formValues(modal) });
      }
    }
  });
}

async function start() {
  wire();
  const people = await fetch("/api/people").then((response) => response.json());
  if (!people.some((person) => person.id === ui.viewer)) ui.viewer = people[0].id;
  chooseViewer(ui.viewer);
  setTimeout(poll, POLL_MS);
}

start();
