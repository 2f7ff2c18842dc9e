  // Shared by the agent's page and the fleet page (Dashboard inlines it before hashing it for the
  // CSP). Values are only ever written as text. TOKEN_KEY is the including page's.
  function show(value) {
    return value === null || value === undefined ? "\u2014" : String(value);
  }
  function text(id, value) { $(id).textContent = show(value); }
  // ISO times from the API, shortened for tables: 2026-11-27 10:15:29Z (seconds are enough here).
  function when(v) {
    return typeof v === "string" && /^\d{4}-\d\d-\d\dT/.test(v) ? v.replace("T", " ").replace(/\.\d+Z$/, "Z") : v;
  }
  function row(tbody, values, cls) {
    const tr = document.createElement("tr");
    if (cls) tr.className = cls;
    for (const v of values) {
      const td = document.createElement("td");
      const isNum = typeof v === "number";
      td.textContent = show(v);
      if (isNum) td.className = "num";
      tr.appendChild(td);
    }
    tbody.appendChild(tr);
    return tr;
  }
  function token() { return sessionStorage.getItem(TOKEN_KEY); }
  function authHeaders() { return {"Accept": "application/json", "Authorization": "Bearer " + token()}; }
  async function errorOf(res) {
    try { const j = await res.json(); return j.error || ("HTTP " + res.status); } catch (e) { return "HTTP " + res.status; }
  }

  // Sign-in: GET /session with the token, which stays in this tab's sessionStorage only while the
  // server knows it. Returns the session, or null with the refusal shown.
  async function openSession(t, mayText) {
    sessionStorage.setItem(TOKEN_KEY, t);
    const res = await fetch("/session", {cache: "no-store", headers: authHeaders()});
    let s = null;
    if (!res.ok) {
      sessionStorage.removeItem(TOKEN_KEY);
      text("auth-error", "sign-in refused: " + await errorOf(res));
    } else {
      s = await res.json();
      text("auth-error", "");
      text("whoami", s.user);
      text("whoami-via", "(" + s.via + ", " + mayText(s) + ")");
    }
    $("signed-in").hidden = !s;
    $("signed-out").hidden = !!s;
    return s;
  }
  function toggleResult(message, ok) {
    text("toggle-result", message);
    $("toggle-result").className = ok ? "ok" : "error";
  }
  // A state change: the token, the page's cross-site token, JSON both ways. Returns the answer,
  // or null with the refusal shown.
  async function postChange(path, body) {
    try {
      const headers = authHeaders();
      headers["Content-Type"] = "application/json";
      headers["X-Temper-CSRF"] = CSRF;
      const res = await fetch(path, {method: "POST", cache: "no-store", headers: headers, body: JSON.stringify(body)});
      if (res.ok) return await res.json();
      toggleResult("refused: " + await errorOf(res), false);
    } catch (e) {
      toggleResult("request failed: " + e.message, false);
    }
    return null;
  }
  // The sign-in form and the toggle's two steps (a reason, then a confirmation).
  function wireDialog(h) {
    $("sign-in").addEventListener("click", () => { const t = $("token").value.trim(); $("token").value = ""; if (t) h.signIn(t); });
    $("token").addEventListener("keydown", (e) => { if (e.key === "Enter") $("sign-in").click(); });
    $("sign-out").addEventListener("click", h.signOut);
    $("reason").addEventListener("input", () => { $("continue").disabled = $("reason").value.trim() === ""; });
    $("continue").addEventListener("click", h.toConfirm);
    $("cancel").addEventListener("click", h.cancel);
    $("back").addEventListener("click", () => { $("step-confirm").hidden = true; $("step-reason").hidden = false; });
    $("confirm").addEventListener("click", h.confirm);
  }
  // The audit trail's table, newest first, once signed in.
  async function showAudit(signedIn, where) {
    const tbody = $("audit");
    if (!signedIn) { tbody.replaceChildren(); text("audit-note", "Sign in to see who asked for what, from where, and how it ended."); return; }
    const res = await fetch("/audit?limit=100", {cache: "no-store", headers: authHeaders()});
    if (!res.ok) { text("audit-note", "audit trail unavailable: " + await errorOf(res)); return; }
    const entries = await res.json();
    tbody.replaceChildren();
    for (const e of entries.slice().reverse()) {
      row(tbody, [when(e.time), e.actor, e.remote, e.action, e.outcome, e.detail], "audit-entry outcome-" + String(e.outcome).replace(/[^a-z]/g, ""));
    }
    text("audit-note", entries.length + " most recent entries, newest first; " + where);
  }
  // Runs load now and every ms after it ends, saying in #error what failed.
  async function pollEvery(ms, load, what) {
    try {
      await load();
      text("error", "");
    } catch (e) {
      text("error", what + " unavailable: " + e.message);
    } finally {
      setTimeout(() => pollEvery(ms, load, what), ms);
    }
  }
