/* 站内搜索, progressive: the page works without this file (the form is a GET to /search/, which
   `portal serve` renders). With it, results appear in place: from the search service when one answers
   /api/search, else from the static index named by data-static-index, with the same analysis as
   publisher/search/analysis.py (mirrored function by function below; a browser test compares them). */
(function () {
  "use strict";
  var MAX_WORD = 64, SNIPPET_BEFORE = 30, SNIPPET_LENGTH = 120, PAGE_SIZE = 10, MAX_QUERY = 100;
  var WORD = /^[\p{L}\p{N}]$/u;

  // ---- analysis (publisher/search/analysis.py) ----
  function isHan(ch) {
    var cp = ch.codePointAt(0);
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
      (cp >= 0x20000 && cp <= 0x323AF) || ch === "〇";
  }
  function kind(ch) { return isHan(ch) ? "han" : (WORD.test(ch) ? "word" : ""); }
  function normalize(text) { return text.normalize("NFKC").toLowerCase(); }
  function runs(text) {
    var out = [], k0 = "", buf = [], gap = false;
    Array.from(normalize(text)).forEach(function (ch) {
      var k = kind(ch);
      if (!k) { gap = true; return; }
      if (k === k0 && !(gap && k === "word")) buf.push(ch);
      else { if (buf.length) out.push([k0, buf.join("")]); k0 = k; buf = [ch]; }
      gap = false;
    });
    if (buf.length) out.push([k0, buf.join("")]);
    return out;
  }
  function runTokens(k, text) {
    var chars = Array.from(text);
    if (k === "word") return [chars.slice(0, MAX_WORD).join("")];
    if (chars.length === 1) return [text];
    var out = [];
    for (var i = 0; i + 1 < chars.length; i++) out.push(chars[i] + chars[i + 1]);
    return out;
  }
  function tokens(text) {
    var out = [];
    runs(text).forEach(function (r) { out.push.apply(out, runTokens(r[0], r[1])); });
    return out;
  }
  function compact(text) { return Array.from(normalize(text)).filter(kind).join(""); }
  var NUMBER_WORDS = /第(?=[0-9])|(?<=[0-9])号/g, CODE_GRAM = 8, CODE_LIKE = /^[0-9a-z]{8,18}$/;
  function matchKey(text) { return compact(text).replace(NUMBER_WORDS, ""); }  // analysis.match_key
  function partialCodeKeys(text) {  // analysis.partial_code_keys
    var key = compact(text);
    if (!CODE_LIKE.test(key)) return [];
    var starts = [];
    for (var i = 0; i + CODE_GRAM <= key.length; i += CODE_GRAM) starts.push(i);
    starts.push(key.length - CODE_GRAM);
    return unique(starts.map(function (i) { return "~" + key.slice(i, i + CODE_GRAM); }));
  }
  function unique(list) { return list.filter(function (x, i) { return list.indexOf(x) === i; }); }
  function parseQuery(text) {
    var terms = [], seen = {};
    normalize(text).split(/\s+/).forEach(function (part) {
      var parts = runs(part);
      if (!parts.length) return;
      var chars = [];
      var last = parts[parts.length - 1];
      if (last[0] === "han" && Array.from(last[1]).length === 1) chars.push(parts.pop()[1]);
      if (parts.length && parts[0][0] === "han" && Array.from(parts[0][1]).length === 1) chars.unshift(parts.shift()[1]);
      var toks = parts.map(function (r) { return runTokens(r[0], r[1]); });
      var phrase = [].concat.apply([], toks), joints = [];
      for (var i = 0; i + 1 < toks.length; i++) joints.push(toks[i][toks[i].length - 1] + "_" + toks[i + 1][0]);
      var term = {phrase: phrase, joints: joints, chars: unique(chars),
                  source: runs(part).map(function (r) { return r[1]; }).join("")};
      var key = JSON.stringify(term);
      if (!seen[key]) { seen[key] = true; terms.push(term); }
    });
    return {terms: terms, exact: matchKey(text), partial: partialCodeKeys(text)};
  }
  function escapeRegex(ch) { return ch.replace(/[.*+?^${}()|[\]\\\/-]/g, "\\$&"); }
  function highlightPattern(query) {
    var alts = query.terms.map(function (t) { return Array.from(t.source).map(escapeRegex).join("[^\\p{L}\\p{N}_]*"); })
      .filter(Boolean);
    if (!alts.length) return null;
    alts.sort(function (a, b) { return b.length - a.length; });
    return new RegExp(alts.join("|"), "gu");
  }
  function esc(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#x27;");
  }
  function snippet(text, query) {  // publisher/search/backend.py snippet()
    var chars = Array.from(text), norm = "", origin = [];
    chars.forEach(function (ch, i) { var n = normalize(ch); norm += n; for (var j = 0; j < n.length; j++) origin.push(i); });
    var pattern = highlightPattern(query), spans = [], m;
    if (pattern) {
      while ((m = pattern.exec(norm)) !== null) {
        if (m[0].length === 0) { pattern.lastIndex++; continue; }
        spans.push([origin[m.index], origin[m.index + m[0].length - 1] + 1]);
      }
    }
    var start = spans.length ? Math.max(0, spans[0][0] - SNIPPET_BEFORE) : 0;
    var end = Math.min(chars.length, start + SNIPPET_LENGTH), out = "", pos = start;
    var slice = function (a, b) { return chars.slice(a, b).join(""); };
    spans.forEach(function (s) {
      if (s[0] < pos || s[0] >= end) return;
      out += esc(slice(pos, s[0])) + "<mark>" + esc(slice(s[0], s[1])) + "</mark>";
      pos = s[1];
    });
    if (pos < end) out += esc(slice(pos, end));
    out = out.split("\n").join(" · ");
    return (start ? "…" : "") + out + (end < chars.length ? "…" : "");
  }
  function fieldSnippet(shown, query) {  // publisher/search/backend.py field_snippet()
    if (!shown.length) return ["", ""];
    var i, marked;
    if (query.exact) {
      for (i = 0; i < shown.length; i++) {
        if (matchKey(shown[i][1]) === query.exact) return [shown[i][0], "<mark>" + esc(shown[i][1]) + "</mark>"];
      }
    }
    for (i = 0; i < shown.length; i++) {
      marked = snippet(shown[i][1], query);
      if (marked.indexOf("<mark>") >= 0) return [shown[i][0], marked];
    }
    return [shown[0][0], snippet(shown[0][1], query)];
  }

  var cache = {};
  function get(url, read) {
    if (!cache[url]) {
      cache[url] = fetch(url).then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status + " " + url);
        return read(r);
      });
      cache[url].catch(function () { delete cache[url]; });
    }
    return cache[url];
  }
  function getJSON(url) { return get(url, function (r) { return r.json(); }); }
  function getBytes(url) { return get(url, function (r) { return r.arrayBuffer().then(function (b) { return new Uint8Array(b); }); }); }

  // ---- the binary formats (publisher/site/search/postings.py, decoded the same way) ----
  function Bytes(data, pos) { this.data = data; this.pos = pos || 0; }
  Bytes.prototype.varint = function () {  // LEB128; ids pass 2**32, so no bitwise operators on the sum
    var n = 0, scale = 1, byte;
    do { byte = this.data[this.pos++]; n += (byte & 0x7F) * scale; scale *= 128; } while (byte >= 0x80);
    return n;
  };
  function decodeIds(data, pos) {  // postings.decode_ids: roaring-style containers of arrays, runs or bitmaps
    var r = new Bytes(data, pos), count = r.varint(), ids = [], high = 0;
    for (var c = 0; c < count; c++) {
      high += r.varint();
      var base = high * 65536, header = r.varint(), kind = header % 4, n = Math.floor(header / 4) + 1, i, j, low;
      if (kind === 0) {
        low = 0;
        for (i = 0; i < n; i++) { low += r.varint(); ids.push(base + low); }
      } else if (kind === 1) {
        var end = 0;
        for (i = 0; i < n; i++) {
          var start = end + r.varint();
          end = start + r.varint() + 1;
          for (low = start; low < end; low++) ids.push(base + low);
        }
      } else {
        var first = r.varint();
        for (i = 0; i < n; i++) {
          var byte = data[r.pos + i];
          for (j = 0; j < 8; j++) if (byte >> j & 1) ids.push(base + (first + i) * 8 + j);
        }
        r.pos += n;
      }
    }
    return ids;
  }
  function decodeShard(data) {  // postings.decode_shard: term -> where its list starts
    var r = new Bytes(data), size = r.varint();
    var terms = new TextDecoder().decode(data.subarray(r.pos, r.pos + size)).split(",");
    terms.pop();
    r.pos += size;
    var sizes = terms.map(function () { return r.varint(); }), out = new Map(), pos = r.pos;
    terms.forEach(function (t, i) { out.set(t, pos); pos += sizes[i]; });
    return out;
  }
  function decodeOrder(data) {  // postings.decode_order: runs of consecutive descending numbers
    var r = new Bytes(data), count = r.varint(), out = [], prev = 0;
    for (var c = 0; c < count; c++) {
      var zig = r.varint(), length = r.varint();
      var start = prev + (zig % 2 === 0 ? zig / 2 : -(zig + 1) / 2);
      for (var k = 0; k <= length; k++) out.push(start - k);
      prev = start - length;
    }
    return out;
  }

  // ---- the static index (publisher/site/search/static.py StaticReader) ----
  function fnv1a(text) {
    var bytes = new TextEncoder().encode(text), h = 0x811C9DC5;
    for (var i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193) >>> 0;
    return h >>> 0;
  }
  // Tiers of publisher/search/matching.py: a profile the query names, an exact 文号/code/name, a partial code, the rest.
  function tierOf(type, exact, partial) {
    if (exact || partial) return type === "parties" ? 0 : (exact ? 1 : 2);
    return 3;
  }
  // Where each file lies (publisher/site/search/static_files.py): the folder of the build that last changed it.
  function unbase64(text) {
    var raw = atob(text), out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }
  function fileTable(meta, root) {
    var files = meta.files, shards = unbase64(files.t), chunks = {};
    Object.keys(files.d).forEach(function (g) { chunks[g] = unbase64(files.d[g]); });
    return {
      shard: function (n) { return root + files.builds[shards[n]] + "/t/" + n + ".bin"; },
      order: function (g) { return root + files.builds[files.o[g]] + "/o/" + g + ".bin"; },
      chunk: function (c) {
        var row = chunks[Math.floor(c / 65536)];
        return root + files.builds[row[c % 65536]] + "/d/" + c + ".json";
      }
    };
  }
  function staticSearch(metaUrl, q, type, year, page, pageSize, agency) {
    var query = parseQuery(q);
    var root = metaUrl.slice(0, metaUrl.lastIndexOf("/") + 1);
    pageSize = pageSize || PAGE_SIZE;
    return getJSON(metaUrl).then(function (meta) {
      var where = fileTable(meta, root);
      var needed = unique([].concat.apply([], query.terms.map(function (t) { return [].concat(t.phrase, t.joints, t.chars); })));
      var only = agency ? "@agency:" + agency : "";  // documents.agency_term: one agency's records (issue 19)
      var keys = unique(needed.concat(query.exact ? ["=" + query.exact] : [], query.partial, only ? [only] : []));
      var shards = unique(keys.map(function (k) { return fnv1a(k) % meta.shards; }));
      var span = Math.pow(2, meta.group_bits), groups = new Map();
      meta.groups.forEach(function (g) { groups.set(g[0], g); });
      return Promise.all(shards.map(function (n) { return getBytes(where.shard(n)); })).then(function (files) {
        var byShard = {};
        shards.forEach(function (n, i) { byShard[n] = {data: files[i], terms: decodeShard(files[i])}; });
        var postings = function (key) {
          var shard = byShard[fnv1a(key) % meta.shards], pos = shard.terms.get(key);
          return new Set(pos === undefined ? [] : decodeIds(shard.data, pos));
        };
        var allOf = function (list) {
          var matched = null;
          list.forEach(function (key) {
            var ids = postings(key);
            matched = matched === null ? ids : new Set(Array.from(matched).filter(function (i) { return ids.has(i); }));
          });
          return matched || new Set();
        };
        var matched = needed.length ? allOf(needed) : new Set();
        var exact = query.exact && needed.length ? postings("=" + query.exact) : new Set();
        var partial = needed.length ? allOf(query.partial) : new Set();
        exact.forEach(function (i) { matched.add(i); });
        partial.forEach(function (i) { matched.add(i); });
        if (only) {
          var mine = postings(only);
          matched = new Set(Array.from(matched).filter(function (i) { return mine.has(i); }));
        }
        var facets = {type: {}, year: {}}, buckets = new Map();
        matched.forEach(function (i) {
          var g = groups.get(Math.floor(i / span));
          facets.type[g[1]] = (facets.type[g[1]] || 0) + 1;
          facets.year[g[2]] = (facets.year[g[2]] || 0) + 1;
          if ((type && g[1] !== type) || (year && g[2] !== year)) return;
          var tier = tierOf(g[1], exact.has(i), partial.has(i)), key = tier + ":" + g[0];
          if (!buckets.has(key)) buckets.set(key, {tier: tier, group: g[0], ids: []});
          buckets.get(key).ids.push(i);
        });
        // Tier first, then the higher group; within a group by its rank order, fetched only for this page's groups.
        var ordered = Array.from(buckets.values()).sort(function (a, b) { return (a.tier - b.tier) || (b.group - a.group); });
        var start = (page - 1) * pageSize, end = page * pageSize, offset = 0, onPage = [];
        ordered.forEach(function (b) {
          if (offset < end && offset + b.ids.length > start) onPage.push({bucket: b, from: Math.max(0, start - offset), to: end - offset});
          offset += b.ids.length;
        });
        var total = offset;
        return Promise.all(onPage.map(function (p) {
          return p.bucket.ids.length > 1 ? getBytes(where.order(p.bucket.group)).then(decodeOrder) : Promise.resolve([]);
        })).then(function (orders) {
          var ids = [];
          onPage.forEach(function (p, k) {
            var place = new Map();
            orders[k].forEach(function (n, at) { place.set(n, at); });
            var groupBase = p.bucket.group * span;
            p.bucket.ids.sort(function (a, b) { return (place.get(a - groupBase) || 0) - (place.get(b - groupBase) || 0); });
            ids = ids.concat(p.bucket.ids.slice(p.from, p.to));
          });
          var chunks = unique(ids.map(function (i) { return Math.floor(i / meta.chunk); }));
          return Promise.all(chunks.map(function (c) { return getJSON(where.chunk(c)); })).then(function (docs) {
            var byChunk = {};
            chunks.forEach(function (c, i) { byChunk[c] = docs[i]; });
            var hits = ids.map(function (i) {
              var row = byChunk[Math.floor(i / meta.chunk)][i % meta.chunk], g = groups.get(Math.floor(i / span));
              var fields = row[3].map(function (f) { return [meta.labels[f[0]], f[1]]; });
              var found = fieldSnippet(fields, query);
              return {url: row[0], title: row[1], type: g[1], type_name: meta.types[g[1]], date: row[2],
                      snippet: found[1], field: found[0]};
            });
            return {query: q, type: type, year: year, agency: agency || "", page: page, page_size: pageSize, total: total,
                    pages: Math.ceil(total / pageSize), hits: hits, facets: facets, mode: "static"};
          });
        });
      });
    });
  }
  window.PortalSearch = {tokens: tokens, parseQuery: parseQuery, compact: compact, matchKey: matchKey, snippet: snippet,
                         fieldSnippet: fieldSnippet, fnv1a: fnv1a, staticSearch: staticSearch,
                         decodeIds: decodeIds, decodeOrder: decodeOrder};

  // ---- the page ----
  var box = document.querySelector("[data-search]");
  if (!box) return;
  var form = box.querySelector("form"), results = box.querySelector("#search-results");
  var staticBase = box.getAttribute("data-static-index");
  var typeNames = {};
  Array.prototype.forEach.call(form.elements.type.options, function (o) { if (o.value) typeNames[o.value] = o.text; });

  function link(params) {
    var p = new URLSearchParams();
    ["q", "agency", "type", "year", "page"].forEach(function (k) { if (k in params && (k !== "agency" || params[k])) p.set(k, params[k]); });
    return "/search/?" + p.toString();
  }
  function render(data) {
    var q = data.query, type = data.type || "", year = data.year || "", agency = data.agency || "", html = "";
    var menu = form.elements.agency, named = agency && menu ? menu.querySelector('option[value="' + agency.replace(/["\\]/g, "") + '"]') : null;
    html += '<h2 class="search-summary" id="search-summary">“' + esc(q) + "”的搜索结果" + (named ? "（" + esc(named.text) + "）" : "") + "：共 " + data.total + " 条" +
      (data.pages > 1 ? "，第 " + data.page + "/" + data.pages + " 页" : "") + "</h2>";
    var types = Object.keys(typeNames).filter(function (k) { return k in data.facets.type; });  // the menu's order
    var years = Object.keys(data.facets.year).sort().reverse();
    if (types.length || years.length) {
      html += '<nav class="filters search-facets" aria-label="筛选搜索结果"><p class="filter-group"><span class="filter-label">按类型：</span>';
      html += '<a href="' + esc(link({q: q, agency: agency, year: year})) + '"' + (type ? "" : ' aria-current="page"') + ">全部</a>";
      types.forEach(function (k) {
        html += ' <a href="' + esc(link({q: q, agency: agency, type: k, year: year})) + '"' + (type === k ? ' aria-current="page"' : "") + ">" +
          esc(typeNames[k] || k) + "（" + data.facets.type[k] + "）</a>";
      });
      html += '</p><p class="filter-group"><span class="filter-label">按年份：</span>';
      html += '<a href="' + esc(link({q: q, agency: agency, type: type})) + '"' + (year ? "" : ' aria-current="page"') + ">全部</a>";
      years.forEach(function (y) {
        html += ' <a href="' + esc(link({q: q, agency: agency, type: type, year: y})) + '"' + (year === y ? ' aria-current="page"' : "") + ">" +
          esc(y) + "年（" + data.facets.year[y] + "）</a>";
      });
      html += "</p></nav>";
    }
    if (data.hits.length) {
      html += '<ol class="search-hits" start="' + ((data.page - 1) * data.page_size + 1) + '">';
      data.hits.forEach(function (h) {
        html += '<li><h3><a href="' + esc(h.url) + '">' + esc(h.title) + '</a></h3><p class="search-meta">' +
          esc(h.type_name) + " · " + esc(h.date) + '</p><p class="search-snippet">' +
          (h.field ? '<span class="search-field">' + esc(h.field) + "：</span>" : "") + h.snippet + "</p></li>";
      });
      html += "</ol>";
      if (data.pages > 1) {
        html += '<nav class="pagination" aria-label="搜索结果分页"><ul>';
        if (data.page > 1) html += '<li><a href="' + esc(link({q: q, agency: agency, type: type, year: year, page: data.page - 1})) + '" rel="prev">上一页</a></li>';
        if (data.page < data.pages) html += '<li><a href="' + esc(link({q: q, agency: agency, type: type, year: year, page: data.page + 1})) + '" rel="next">下一页</a></li>';
        html += "</ul></nav>";
      }
    } else {
      html += "<p>没有找到包含“" + esc(q) + "”的公开信息。请检查输入的文字，或减少搜索词再试。</p>";
    }
    results.innerHTML = html;
    results.setAttribute("data-mode", data.mode || "service");
  }
  function showError(message) {
    results.innerHTML = '<p class="search-error" role="alert">' + esc(message) + "</p>";
  }
  function viaService(params) {
    return fetch("/api/search?" + params.toString(), {headers: {Accept: "application/json"}}).then(function (r) {
      return r.text().then(function (text) {
        var data;
        try { data = JSON.parse(text); } catch (e) { return null; }
        if (!data || data.service === false) return null;  // a plain-file host: the build's placeholder file
        if (!r.ok) { if (data.error) throw new Error(data.error.message.split(" (")[0]); return null; }
        return data;
      });
    }, function () { return null; });
  }
  function run(params) {
    var q = params.get("q") || "";
    form.elements.q.value = q;
    form.elements.type.value = params.get("type") || "";
    if (form.elements.agency) form.elements.agency.value = params.get("agency") || "";
    if (!q.trim()) { showError("请输入搜索词"); return; }
    if (q.length > MAX_QUERY) { showError("搜索词过长，最多 " + MAX_QUERY + " 个字"); return; }
    results.setAttribute("aria-busy", "true");
    viaService(params).then(function (data) {
      if (data) return data;
      if (!staticBase) throw new Error("搜索服务暂时不可用，请稍后再试。");  // the site has no static index
      return staticSearch(staticBase, q, params.get("type") || "", params.get("year") || "",
                          Math.max(1, parseInt(params.get("page") || "1", 10) || 1), PAGE_SIZE, params.get("agency") || "");
    }).then(render, function (err) {
      showError(err && err.message && !/^HTTP /.test(err.message) ? err.message : "搜索暂时不可用，请稍后再试。");
    }).then(function () { results.removeAttribute("aria-busy"); });
  }
  function go(url) {
    var params = new URL(url, location.href).searchParams;
    history.pushState(null, "", "/search/?" + params.toString());
    run(params);
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var p = new URLSearchParams();
    p.set("q", form.elements.q.value);
    if (form.elements.agency && form.elements.agency.value) p.set("agency", form.elements.agency.value);
    if (form.elements.type.value) p.set("type", form.elements.type.value);
    go("/search/?" + p.toString());
  });
  results.addEventListener("click", function (event) {
    var a = event.target.closest && event.target.closest("a[href^='/search/?']");
    if (!a) return;
    event.preventDefault();
    go(a.getAttribute("href"));
  });
  window.addEventListener("popstate", function () { run(new URLSearchParams(location.search)); });
  var initial = new URLSearchParams(location.search);
  if (initial.has("q") && !results.hasAttribute("data-rendered")) run(initial);
})();
