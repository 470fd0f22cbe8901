/* 批量比对: answers pasted names and credit codes from the compact party index (publisher/site/party_index.py),
   downloading the small first file and only the shards the lines fall in. normaliseKey and fnv1a mirror the
   Python functions of the same names (a browser test compares them). Without this file the page explains
   how to use 站内搜索 instead. */
(function () {
  "use strict";
  var BRACKETS = { "[": "(", "]": ")", "【": "(", "】": ")", "〔": "(", "〕": ")", "［": "(", "］": ")" };
  var DROPPED = /[\t-\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200f\u2028\u2029\u202f\u205f\u2060\u3000\ufeff]+/g;
  var MAX_LINE = 200;
  var TYPES = [["penalties", "行政处罚"], ["permits", "行政许可"], ["inspections", "双随机抽查结果"]];

  function normaliseKey(text) {
    return text.normalize("NFKC").replace(/[\[\]【】〔〕［］]/g, function (c) { return BRACKETS[c]; })
      .replace(DROPPED, "").toUpperCase();
  }
  function fnv1a(text) {
    var bytes = new TextEncoder().encode(text), h = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) { h ^= bytes[i]; h = Math.imul(h, 0x01000193) >>> 0; }
    return h >>> 0;
  }
  window.portalPartyKey = { normaliseKey: normaliseKey, fnv1a: fnv1a };

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error(r.status);
      return r.json();
    });
  }
  function cell(row, text, label) {
    var td = document.createElement("td");
    if (label) td.setAttribute("data-label", label);
    if (text instanceof Node) td.appendChild(text); else td.textContent = text;
    row.appendChild(td);
    return td;
  }
  function link(href, text) {
    var a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    return a;
  }
  function headers() {
    return ["输入内容", "比对结果", "当事人", "统一社会信用代码"].concat(TYPES.map(function (t) { return t[1]; }));
  }
  function table(answers) {
    var t = document.createElement("table"), head = document.createElement("thead"), tr = document.createElement("tr");
    t.className = "list party-check-results";
    var cap = document.createElement("caption");
    cap.textContent = "比对结果（正在公示的信息条数）";
    t.appendChild(cap);
    headers().forEach(function (h) { var th = document.createElement("th"); th.scope = "col"; th.textContent = h; tr.appendChild(th); });
    head.appendChild(tr);
    t.appendChild(head);
    var body = document.createElement("tbody"), labels = headers();
    answers.forEach(function (a) {
      var matches = a.parties.length ? a.parties : [null];
      matches.forEach(function (p) {
        var row = document.createElement("tr");
        cell(row, a.line, "");
        if (!p) {
          cell(row, "未找到", labels[1]).className = "check-none";
          for (var i = 2; i < labels.length; i++) cell(row, "—", labels[i]);
        } else {
          var verdict = p.penalties ? "有行政处罚" : "无行政处罚";
          cell(row, a.parties.length > 1 ? verdict + "（同名当事人之一）" : verdict, labels[1]).className =
            p.penalties ? "check-penalty" : "check-clear";
          cell(row, link(p.url, p.name), labels[2]);
          cell(row, p.credit_code, labels[3]);
          TYPES.forEach(function (t, k) { cell(row, String(p[t[0]]), labels[4 + k]); });
        }
        body.appendChild(row);
      });
    });
    t.appendChild(body);
    return t;
  }
  function check(form, status, results) {
    var max = parseInt(form.getAttribute("data-max-lines"), 10);
    var lines = form.elements.lines.value.split(/\r\n|\n|\r/).map(function (l) { return l.trim().slice(0, MAX_LINE); })
      .filter(function (l) { return l; });
    var dropped = Math.max(0, lines.length - max);
    lines = lines.slice(0, max);
    if (!lines.length) { status.textContent = "请至少输入一个企业名称或统一社会信用代码。"; return; }
    status.textContent = "正在比对……";
    getJSON(form.getAttribute("data-index")).then(function (first) {
      var base = form.getAttribute("data-index").replace(/index\.json$/, ""), wanted = {};
      var keyed = lines.map(function (line) {
        var key = normaliseKey(line), shard = fnv1a(key) % first.shards;
        wanted[shard] = true;
        return { line: line, key: key, shard: shard };
      });
      var numbers = Object.keys(wanted);
      return Promise.all(numbers.map(function (n) {
        return getJSON(base + "shard-" + n + ".json?v=" + first.versions[n]);
      })).then(function (loaded) {
        var shards = {};
        numbers.forEach(function (n, i) { shards[n] = loaded[i]; });
        return keyed.map(function (k) {
          var entries = shards[k.shard][k.key] || [];
          return { line: k.line, parties: entries.map(function (e) {
            return { credit_code: e[0], name: e[1], party_type: e[2], penalties: e[3], permits: e[4],
                     inspections: e[5], url: "/parties/" + e[0] + "/" };
          }) };
        });
      });
    }).then(function (answers) {
      var found = answers.filter(function (a) { return a.parties.length; }).length;
      var penalised = answers.filter(function (a) { return a.parties.some(function (p) { return p.penalties; }); }).length;
      results.replaceChildren(table(answers));
      status.textContent = "共比对 " + answers.length + " 行：找到 " + found + " 个，其中 " + penalised + " 个有正在公示的行政处罚；"
        + (answers.length - found) + " 个未找到。" + (dropped ? "超出上限的 " + dropped + " 行未比对。" : "");
    }).catch(function () {
      status.textContent = "比对数据暂时无法读取，请稍后再试，或使用站内搜索逐个查找。";
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("[data-check-form]");
    if (!form) return;
    var status = document.querySelector("[data-check-status]"), results = document.querySelector("[data-check-results]");
    var nojs = document.querySelector("[data-check-nojs]");
    if (nojs) nojs.hidden = true;
    form.hidden = false;
    form.addEventListener("submit", function (e) { e.preventDefault(); check(form, status, results); });
  });
})();
