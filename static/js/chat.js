// Live chat for room and conversation pages: one WebSocket at /ws/, reconnecting with back-off and
// resyncing missed messages through the REST API. User content is only ever set with textContent.
(function () {
  "use strict";
  var root = document.getElementById("chat");
  if (!root) return;
  var kind = root.dataset.kind; // "room" or "dm"
  var roomId = kind === "room" ? parseInt(root.dataset.room, 10) : null;
  var peerId = kind === "dm" ? parseInt(root.dataset.peer, 10) : null;
  var me = parseInt(root.dataset.me, 10);
  var canModerate = root.dataset.canModerate === "true";
  var isMember = root.dataset.member === "true";
  var list = document.getElementById("messages");
  var status = document.getElementById("connection");
  var typingLine = document.getElementById("typing");
  var onlineList = document.getElementById("online");
  var composer = document.getElementById("composer");
  var input = document.getElementById("message-input");
  var csrf = (document.querySelector("input[name=csrfmiddlewaretoken]") || {}).value;
  var socket = null, backoff = 1000, lastId = 0, pingTimer = null, typingTimers = {}, lastTypingSent = 0;
  var lastUnauthenticated = 0; // when the last 4401 close came
  var apiBase = kind === "room" ? "/api/v1/rooms/" + roomId + "/messages/" : "/api/v1/chat/dm/" + peerId + "/";

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function avatar(user) {
    if (user && user.avatar_url) {
      var img = el("img", "avatar");
      img.src = user.avatar_url; img.alt = ""; img.width = 32; img.height = 32;
      return img;
    }
    return el("span", "avatar avatar-initial", user ? user.username.charAt(0).toUpperCase() : "·");
  }

  function normalise(message) {
    // Room messages carry "user" and "created_at"; direct messages "from_user" and "timestamp".
    return {
      id: message.id,
      user: message.user !== undefined ? message.user : message.from_user,
      content: message.content,
      type: message.message_type || "message",
      at: message.created_at || message.timestamp,
      edited: message.edited_at
    };
  }

  function render(raw) {
    var m = normalise(raw);
    if (m.user && typingTimers[m.user.id]) { // a message ends its author's "typing…"
      clearTimeout(typingTimers[m.user.id].timer);
      delete typingTimers[m.user.id];
      updateTyping();
    }
    var existing = list.querySelector('[data-id="' + m.id + '"]');
    var item = el("li", "message" + (m.type !== "message" ? " system" : ""));
    item.dataset.id = m.id;
    item.id = (kind === "room" ? "message-" : "dm-") + m.id; // search results link here
    item.appendChild(avatar(m.user));
    var body = el("div", "body");
    var meta = el("div", "meta");
    meta.appendChild(el("strong", null, m.user ? m.user.username : "Veza"));
    meta.appendChild(document.createTextNode(" · " + new Date(m.at).toLocaleTimeString()));
    if (m.edited) meta.appendChild(el("span", "edited", " · edited"));
    body.appendChild(meta);
    body.appendChild(el("p", "text", m.content));
    var mine = m.user && m.user.id === me;
    if (m.type === "message" && (mine || (kind === "room" && canModerate))) {
      var tools = el("div", "tools");
      if (mine) {
        var edit = el("button", "link-button", "Edit");
        edit.type = "button";
        edit.addEventListener("click", function () { startEdit(item, m); });
        tools.appendChild(edit);
      }
      if (kind === "room") {
        var del = el("button", "link-button", "Delete");
        del.type = "button";
        del.addEventListener("click", function () {
          if (window.confirm("Delete this message?")) send({ type: "room.delete", message_id: m.id });
        });
        tools.appendChild(del);
      }
      body.appendChild(tools);
    }
    item.appendChild(body);
    if (existing) {
      list.replaceChild(item, existing);
    } else {
      var after = null;
      list.querySelectorAll(".message").forEach(function (node) {
        if (parseInt(node.dataset.id, 10) > m.id && !after) after = node;
      });
      list.insertBefore(item, after);
      if (!after) list.scrollTop = list.scrollHeight;
    }
    if (m.id > lastId) lastId = m.id;
  }

  function startEdit(item, m) {
    var text = item.querySelector(".text");
    var box = el("textarea", "edit-input");
    box.value = m.content;
    box.maxLength = 10000;
    text.replaceWith(box);
    box.focus();
    box.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { box.replaceWith(text); }
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        var content = box.value.trim();
        if (!content) return;
        if (kind === "room") send({ type: "room.edit", message_id: m.id, content: content });
        else fetchJSON(apiBase + m.id + "/", { method: "PATCH", body: JSON.stringify({ content: content }) })
          .then(render);
      }
    });
  }

  function remove(id) {
    var node = list.querySelector('[data-id="' + id + '"]');
    if (node) node.remove();
  }

  function fetchJSON(url, options) {
    options = options || {};
    options.headers = { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" };
    options.credentials = "same-origin";
    return fetch(url, options).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) throw new Error((body.error && body.error.detail) || response.statusText);
        return body;
      });
    });
  }

  function resync() {
    // Everything after the last message we hold, oldest first; follows the cursor pages.
    function page(url, collected) {
      return fetchJSON(url).then(function (body) {
        collected = collected.concat(body.results);
        return body.next ? page(body.next, collected) : collected;
      });
    }
    return page(apiBase + "?page_size=200" + (lastId ? "&after=" + lastId : ""), []).then(function (messages) {
      messages.sort(function (a, b) { return a.id - b.id; }).forEach(render);
    }).catch(function () { /* the socket stays the source of truth; the next reconnect retries */ });
  }

  function showTyping(user) {
    if (!user || user.id === me) return;
    if (typingTimers[user.id]) clearTimeout(typingTimers[user.id].timer);
    typingTimers[user.id] = {
      username: user.username,
      timer: setTimeout(function () { delete typingTimers[user.id]; updateTyping(); }, 4000)
    };
    updateTyping();
  }

  function updateTyping() {
    var names = Object.keys(typingTimers).map(function (id) { return typingTimers[id].username; });
    typingLine.textContent = names.length ? names.join(", ") + (names.length > 1 ? " are" : " is") + " typing…" : "";
  }

  function showOnline(users) {
    if (!onlineList) return;
    onlineList.textContent = "";
    users.forEach(function (user) {
      var li = el("li");
      li.appendChild(avatar(user));
      li.appendChild(el("span", null, user.username));
      onlineList.appendChild(li);
    });
  }

  function send(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  function clientId() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  function handle(event) {
    var data = JSON.parse(event.data);
    switch (data.type) {
      case "subscribed":
        showOnline(data.online);
        resync(); // from here on the socket delivers: fetch whatever came before
        break;
      case "presence": if (data.room === roomId) showOnline(data.online); break;
      case "room.message": if (data.message.room === roomId) render(data.message); break;
      case "room.message_edited": if (data.message.room === roomId) render(data.message); break;
      case "room.message_deleted": if (data.room === roomId) remove(data.message_id); break;
      case "room.removed":
        if (data.room === roomId) { status.textContent = "You are no longer a member of this room."; if (composer) composer.hidden = true; }
        break;
      case "room.deleted": if (data.room === roomId) status.textContent = "This room was deleted."; break;
      case "room.closed":
        if (data.room === roomId) { status.textContent = "The moderators closed this room."; if (composer) composer.hidden = true; }
        break;
      case "dm.message_deleted":
        if (kind === "dm" && [data.from_user, data.to_user].indexOf(peerId) !== -1) remove(data.message_id);
        break;
      case "dm.message":
      case "dm.message_edited":
        if (kind === "dm" && data.message.from_user && data.message.to_user &&
            [data.message.from_user.id, data.message.to_user.id].indexOf(peerId) !== -1) {
          render(data.message);
          if (data.message.from_user.id === peerId && document.visibilityState === "visible") {
            send({ type: "dm.read", user: peerId });
          }
        }
        break;
      case "typing":
        if ((kind === "room" && data.room === roomId) || (kind === "dm" && data.user && data.user.id === peerId)) {
          showTyping(data.user);
        }
        break;
      case "error":
        status.textContent = data.detail;
        break;
    }
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + window.location.host + "/ws/");
    status.textContent = "Connecting…";
    socket.addEventListener("open", function () {
      backoff = 1000;
      status.textContent = "Live";
      if (kind === "room" && isMember) send({ type: "subscribe", room: roomId }); // resync on "subscribed"
      else resync();
      clearInterval(pingTimer);
      pingTimer = setInterval(function () { send({ type: "ping" }); }, 25000);
    });
    socket.addEventListener("message", handle);
    socket.addEventListener("close", function (event) {
      clearInterval(pingTimer);
      if (event.code === 4401) {
        // Every socket of the account closes when its credentials change; this page's session may have
        // survived (a password changed from this browser): try once, then give up.
        if (Date.now() - lastUnauthenticated < 60000) { status.textContent = "Your session has ended: log in again."; return; }
        lastUnauthenticated = Date.now();
      }
      status.textContent = "Reconnecting…";
      var delay = Math.min(backoff, 30000) * (0.75 + Math.random() / 2);
      backoff = Math.min(backoff * 2, 30000);
      setTimeout(connect, delay);
    });
  }

  JSON.parse(document.getElementById("history").textContent).forEach(render);
  list.scrollTop = list.scrollHeight;
  var linked = location.hash && document.getElementById(location.hash.slice(1));
  if (linked && list.contains(linked)) {
    linked.classList.add("linked");
    list.scrollTop = linked.offsetTop - list.offsetTop;
  }

  if (composer) {
    composer.addEventListener("submit", function (event) {
      event.preventDefault();
      var content = input.value.trim();
      if (!content) return;
      var id = clientId();
      var frame = kind === "room"
        ? { type: "room.message", room: roomId, content: content, client_id: id }
        : { type: "dm.send", to_user: peerId, content: content, client_id: id };
      if (!send(frame)) {
        // Offline: the REST API takes the same message (the client_id keeps a retry from doubling it).
        fetchJSON(apiBase, { method: "POST", body: JSON.stringify({ content: content, client_id: id }) })
          .then(render).catch(function (error) { status.textContent = error.message; });
      }
      input.value = "";
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); composer.requestSubmit(); }
    });
    input.addEventListener("input", function () {
      var now = Date.now();
      if (now - lastTypingSent < 3000) return;
      lastTypingSent = now;
      send(kind === "room" ? { type: "typing", room: roomId } : { type: "typing", to_user: peerId });
    });
  }
  connect();
})();
