/* Progressive enhancement only: every page works without this file. */
(function () {
  "use strict";
  var root = document.documentElement;
  // 长者模式: without JavaScript the #care target turns it on for one page; here it persists.
  try {
    if (localStorage.getItem("care") === "1") root.classList.add("care");
  } catch (e) { /* storage may be disabled */ }
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".care-on, .care-off");
    if (!link) return;
    event.preventDefault();
    var on = link.classList.contains("care-on");
    root.classList.toggle("care", on);
    try { localStorage.setItem("care", on ? "1" : "0"); } catch (e) { /* ignore */ }
    if (!on && location.hash === "#care") history.replaceState(null, "", location.pathname + location.search);
  });
  // A certificate valid when the site was built may have expired since: say so by today's date.
  var banner = document.querySelector(".validity[data-valid-to]");
  if (banner) {
    var validTo = banner.getAttribute("data-valid-to");
    var today = new Date();
    var iso = today.getFullYear() + "-" + String(today.getMonth() + 1).padStart(2, "0") + "-" +
      String(today.getDate()).padStart(2, "0");
    if (iso > validTo) {
      banner.className = "validity validity-bad";
      banner.setAttribute("data-validity", "expired");
      banner.innerHTML = "";
      var icon = document.createElement("span");
      icon.className = "validity-icon"; icon.setAttribute("aria-hidden", "true"); icon.textContent = "✖";
      var words = document.createElement("strong");
      words.textContent = "证件已于 " + validTo + " 过期";
      var advice = document.createElement("span");
      advice.className = "validity-advice"; advice.textContent = "过期证件不能用于执法，请拨打监督电话反映。";
      banner.append(icon, words, advice);
    }
  }
  // 执法证核验: find the certificate in the table already on the page and go to its officer page.
  var form = document.querySelector("[data-verify]");
  if (form) {
    var result = form.querySelector(".verify-result");
    var lookup = function (value) {
      var wanted = value.trim().toUpperCase();
      if (!wanted) return;
      var links = document.querySelectorAll("a[data-cert]");
      for (var i = 0; i < links.length; i++) {
        if (links[i].getAttribute("data-cert").toUpperCase() === wanted) { location.href = links[i].href; return; }
      }
      result.textContent = "未找到执法证号为“" + value.trim() + "”的执法人员。请核对证号，或拨打监督电话反映。";
    };
    form.addEventListener("submit", function (event) { event.preventDefault(); lookup(form.elements.cert.value); });
    var params = new URLSearchParams(location.search);
    if (params.get("cert")) { form.elements.cert.value = params.get("cert"); lookup(params.get("cert")); }
  }
})();
