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

