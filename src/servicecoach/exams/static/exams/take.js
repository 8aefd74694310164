/* Taking an exam: every answer is sent to the server as it is given.
 * The server is the truth. Each edit carries the time it was made (client_time, ms); the server
 * keeps the latest edit per question, so a second tab or a late re-send never overwrites a newer
 * answer. Until the server confirms, the edit waits in localStorage (queue), survives a reload or
 * a lost connection, and is sent again every few seconds and when the browser comes back online.
 */
(function () {
  "use strict";
  var state = JSON.parse(document.getElementById("attempt-state").textContent);
  var text = JSON.parse(document.getElementById("exam-messages").textContent);
  var csrf = document.querySelector("#submit-form input[name=csrfmiddlewaretoken]").value;
  var statusEl = document.getElementById("save-status");
  var key = state.storageKey;
  var sending = {};
  var refused = false;

  function load() {
    try { return JSON.parse(localStorage.getItem(key) || "{}"); } catch (e) { return {}; }
  }
  function store(queue) {
    try { localStorage.setItem(key, JSON.stringify(queue)); } catch (e) { /* private mode: memory only */ }
  }
  var queue = load();
  // Edits the server has confirmed, kept until a page shows them: a reload can be answered from a read
  // made before a save that was still running committed, and must not show the older answer.
  var confirmedKey = key + "-confirmed";
  function loadConfirmed() {
    try { return JSON.parse(localStorage.getItem(confirmedKey) || "{}"); } catch (e) { return {}; }
  }
  function storeConfirmed(map) {
    try { localStorage.setItem(confirmedKey, JSON.stringify(map)); } catch (e) { /* memory only */ }
  }
  var confirmed = loadConfirmed();

  function fieldset(position) { return document.querySelector('fieldset.question[data-position="' + position + '"]'); }

  function readAnswer(fs) {
    var type = fs.dataset.type, name = "q" + fs.dataset.position;
    var inputs = fs.querySelectorAll('[name="' + name + '"]');
    if (type === "single_choice") {
      var c = fs.querySelector('[name="' + name + '"]:checked'); return c ? c.value : null;
    }
    if (type === "multiple_choice") {
      return Array.prototype.filter.call(inputs, function (i) { return i.checked; }).map(function (i) { return i.value; });
    }
    if (type === "true_false") {
      var t = fs.querySelector('[name="' + name + '"]:checked'); return t ? t.value === "true" : null;
    }
    if (type === "fill_in_blank") { return Array.prototype.map.call(inputs, function (i) { return i.value; }); }
    return inputs[0].value;
  }

  function writeAnswer(fs, answer) {
    var type = fs.dataset.type, name = "q" + fs.dataset.position;
    var inputs = fs.querySelectorAll('[name="' + name + '"]');
    Array.prototype.forEach.call(inputs, function (input, i) {
      if (type === "single_choice") input.checked = input.value === answer;
      else if (type === "multiple_choice") input.checked = (answer || []).indexOf(input.value) >= 0;
      else if (type === "true_false") input.checked = (answer === true && input.value === "true") || (answer === false && input.value === "false");
      else if (type === "fill_in_blank") input.value = (answer || [])[i] || "";
      else input.value = answer || "";
    });
  }

  function showStatus() {
    var pending = Object.keys(queue).length;
    if (refused) return;
    statusEl.textContent = pending ? (navigator.onLine === false ? text.offline : text.saving) : text.saved;
    statusEl.className = "badge" + (pending ? " badge-warning" : " badge-success");
  }

  function send(position) {
    var entry = queue[position];
    if (!entry || sending[position]) return Promise.resolve();
    sending[position] = true;
    return fetch(state.saveUrl, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
      body: JSON.stringify({position: Number(position), answer: entry.answer, client_time: entry.client_time})
    }).then(function (response) {
      return response.json().then(function (body) { return {status: response.status, body: body}; });
    }).then(function (r) {
      sending[position] = false;
      var current = queue[position];
      if (r.status === 200) {
        if (current && current.client_time <= r.body.client_time) delete queue[position];
        confirmed[position] = {answer: r.body.answer, client_time: r.body.client_time};
        storeConfirmed(confirmed);
        if (!r.body.applied) {
          writeAnswer(fieldset(position), r.body.answer);
          note(position, text.newer);
        } else { note(position, ""); }
        state.revisions[position] = r.body.client_time;
      } else if (r.status === 409 || r.status === 400 || r.status === 403 || r.status === 404) {
        delete queue[position];
        refused = true;
        statusEl.textContent = text.refused + ": " + (r.body.error || r.status);
        statusEl.className = "badge badge-danger";
        note(position, r.body.error || "");
      }
      store(queue); showStatus();
      if (queue[position] && current !== queue[position]) return send(position);
    }).catch(function () {
      sending[position] = false; showStatus();  // stays queued; the timer sends it again
    });
  }

  function note(position, message) {
    var el = document.querySelector('.item-status[data-for="' + position + '"]');
    if (el) el.textContent = message;
  }

  // Every keystroke goes into the device's queue at once (a reload right after typing loses
  // nothing); sending typed text waits for a pause in the typing.
  function record(fs) {
    var position = fs.dataset.position;
    queue[position] = {answer: readAnswer(fs), client_time: Date.now()};
    store(queue); showStatus();
    return position;
  }

  function changed(event) {
    var fs = event.target.closest("fieldset.question");
    if (!fs) return;
    send(record(fs));
  }

  function flush() {
    return Promise.all(Object.keys(queue).map(send));
  }

  // After a reload: edits the server has not confirmed are put back on the page and sent again;
  // edits older than what the server holds (e.g. from another tab) are dropped.
  // A confirmed edit newer than what the page was rendered with is the server's answer: show it.
  Object.keys(confirmed).forEach(function (position) {
    var fs = fieldset(position), entry = confirmed[position];
    if (fs && entry.client_time > (state.revisions[position] || 0)) {
      writeAnswer(fs, entry.answer);
      state.revisions[position] = entry.client_time;
    }
  });
  confirmed = {};
  storeConfirmed(confirmed);
  Object.keys(queue).forEach(function (position) {
    var fs = fieldset(position);
    if (!fs || queue[position].client_time <= (state.revisions[position] || 0)) { delete queue[position]; return; }
    writeAnswer(fs, queue[position].answer);
  });
  store(queue); showStatus(); flush();

  var exam = document.getElementById("exam");
  exam.addEventListener("change", changed);
  var typingTimers = {};
  exam.addEventListener("input", function (event) {
    if (event.target.type === "radio" || event.target.type === "checkbox") return;
    var fs = event.target.closest("fieldset.question");
    if (!fs) return;
    var position = record(fs);
    clearTimeout(typingTimers[position]);
    typingTimers[position] = setTimeout(function () { send(position); }, 600);
  });
  window.addEventListener("online", flush);
  setInterval(flush, 4000);

  // One question per page.
  if (exam.dataset.perQuestion === "1") {
    var all = exam.querySelectorAll("fieldset.question"), index = 0;
    var show = function () {
      Array.prototype.forEach.call(all, function (fs, i) { fs.hidden = i !== index; });
      document.getElementById("q-index").textContent = (index + 1) + " " + text.of + " " + all.length;
    };
    document.getElementById("prev-q").addEventListener("click", function () { if (index > 0) { index--; show(); } });
    document.getElementById("next-q").addEventListener("click", function () { if (index < all.length - 1) { index++; show(); } });
    show();
  }

  // Submitting: everything queued is sent first.
  var form = document.getElementById("submit-form"), submitting = false;
  form.addEventListener("submit", function (event) {
    if (submitting) return;
    event.preventDefault();
    if (!form.dataset.auto && !window.confirm(text.confirm)) return;
    submitting = true;
    flush().then(function () { form.submit(); }, function () { form.submit(); });
  });

  // Countdown from the server's remaining seconds; at zero the page submits (the server also
  // submits by itself at the deadline, with what it has).
  var countdown = document.getElementById("countdown");
  var end = Date.now() + Number(countdown.dataset.remaining) * 1000;
  function tick() {
    var left = Math.max(0, Math.round((end - Date.now()) / 1000));
    var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
    countdown.textContent = (h ? h + ":" : "") + String(m).padStart(2, "0") + ":" + String(s).padStart(2, "0");
    if (left <= 60) countdown.className = "badge badge-danger countdown";
    if (left === 0 && !submitting) {
      statusEl.textContent = text.timeup;
      form.dataset.auto = "1";
      form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit"));
      return;
    }
    setTimeout(tick, 1000);
  }
  tick();
})();
