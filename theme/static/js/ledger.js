// The /ledger/ page: check one page of this site against the signed file manifest, in the browser.
// The same checks as `portal ledger verify-page`: the page's SHA-256 is listed in the manifest, the
// manifest's Merkle root (RFC 6962) is the one the newest head signs, and every head is signed by the
// published Ed25519 key and names the one before it.
(function () {
  "use strict";
  var form = document.getElementById("check-page");
  var out = document.getElementById("check-result");
  if (!form || !out || !window.crypto || !window.crypto.subtle || !window.TextEncoder) return;
  form.hidden = false;
  var enc = new TextEncoder();

  function hex(buf) {
    return Array.prototype.map.call(new Uint8Array(buf), function (b) { return b.toString(16).padStart(2, "0"); }).join("");
  }
  function bytes(b64) { return Uint8Array.from(atob(b64), function (c) { return c.charCodeAt(0); }); }
  function join(a, b, c) { var r = new Uint8Array(a.length + b.length + (c ? c.length : 0)); r.set(a); r.set(b, a.length); if (c) r.set(c, a.length + b.length); return r; }
  // Python's json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
  function canonical(v) {
    if (Array.isArray(v)) return "[" + v.map(canonical).join(",") + "]";
    if (v && typeof v === "object") {
      return "{" + Object.keys(v).sort().map(function (k) { return JSON.stringify(k) + ":" + canonical(v[k]); }).join(",") + "}";
    }
    return JSON.stringify(v);
  }
  async function sha(data) { return new Uint8Array(await crypto.subtle.digest("SHA-256", data)); }
  async function tree(leaves) {
    if (leaves.length === 0) return sha(new Uint8Array(0));
    if (leaves.length === 1) return sha(join(new Uint8Array([0]), leaves[0]));
    var split = 1;
    while (split * 2 < leaves.length) split *= 2;
    return sha(join(new Uint8Array([1]), await tree(leaves.slice(0, split)), await tree(leaves.slice(split))));
  }
  async function checkHeads(doc) {
    var der = bytes(doc.public_key.replace(/-----[^-]+-----/g, "").replace(/\s+/g, ""));
    var key = await crypto.subtle.importKey("spki", der, { name: "Ed25519" }, false, ["verify"]);
    var prev = "0".repeat(64);
    for (var i = 0; i < doc.heads.length; i++) {
      var head = doc.heads[i], body = {};
      Object.keys(head).forEach(function (k) { if (k !== "signature") body[k] = head[k]; });
      if (head.seq !== i + 1 || head.prev !== prev) return "第" + (i + 1) + "个签名头没有接在前一个之后";
      var ok = await crypto.subtle.verify({ name: "Ed25519" }, key, bytes(head.signature), enc.encode(canonical(body)));
      if (!ok) return "第" + (i + 1) + "个签名头的签名无效";
      prev = hex(await sha(enc.encode(canonical(head))));
    }
    return null;
  }
  async function fetchOk(url) {
    var response = await fetch(url, { cache: "no-store", credentials: "same-origin" });
    if (!response.ok) throw new Error(url + "：HTTP " + response.status);
    return response;
  }
  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    out.textContent = "正在核对……";
    try {
      var url = new URL(form.elements.page.value || "/", location.href);
      if (url.origin !== location.origin) throw new Error("只能核对本站的网页");
      var path = url.pathname.endsWith("/") ? url.pathname.slice(1) + "index.html" : url.pathname.slice(1);
      var manifest = await (await fetchOk("/ledger/manifest.json")).json();
      var heads = await (await fetchOk("/ledger/heads.json")).json();
      var problem = await checkHeads(heads);
      if (problem) { out.textContent = "发现问题：" + problem; return; }
      var leaves = Object.keys(manifest.files).map(function (p) { return enc.encode(p + "\t" + manifest.files[p]); });
      var root = hex(await tree(leaves));
      var newest = heads.heads[heads.heads.length - 1];
      if (root !== manifest.root || newest.manifest_root !== root || newest.release !== manifest.release) {
        out.textContent = "发现问题：文件清单与最新签名头所签的不一致"; return;
      }
      var expected = manifest.files[decodeURI(path)];
      if (!expected) { out.textContent = "发现问题：" + url.pathname + " 不在签名的文件清单中"; return; }
      var actual = hex(await sha(await (await fetchOk(url.pathname)).arrayBuffer()));
      out.textContent = actual === expected
        ? "一致：" + url.pathname + " 的 SHA-256 为 " + actual + "，列在版本 " + manifest.release + " 的文件清单中，由第" + newest.seq + "个签名头（" + newest.time + "）签署，签名有效。"
        : "发现问题：" + url.pathname + " 的内容与签名的文件清单不符。";
    } catch (err) {
      out.textContent = "无法核对：" + (err && err.message ? err.message : err);
    }
  });
})();
