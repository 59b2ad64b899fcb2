// The camera scanner page: reads barcodes from the rear camera with ZXing-C++
// (WebAssembly, served by this server) and sends each confirmed code to the
// step the person is in. No request leaves for any other host.
"use strict";
(function () {
  const T = JSON.parse(document.getElementById("texts").textContent);
  const $ = (id) => document.getElementById(id);
  const params = new URLSearchParams(location.search);
  const flow = params.get("flow") || "";
  const hash = new URLSearchParams(location.hash.slice(1));
  const tg = (window.Telegram && window.Telegram.WebApp) || null;
  const initData = (tg && tg.initData) || hash.get("tgWebAppData") || "";

  // --- Telegram: theme colours, ready/expand, haptics (its documented events, no script from elsewhere)
  function postEvent(type, data) {
    const payload = JSON.stringify(data || {});
    try {
      if (window.TelegramWebviewProxy) window.TelegramWebviewProxy.postEvent(type, payload);
      else if (window.external && "notify" in window.external) window.external.notify(JSON.stringify({ eventType: type, eventData: data }));
      else if (window.parent !== window) window.parent.postMessage(JSON.stringify({ eventType: type, eventData: data }), "*");
    } catch (e) { /* outside Telegram: nothing to tell */ }
  }
  function applyTheme() {
    let theme = (tg && tg.themeParams) || null;
    if (!theme && hash.get("tgWebAppThemeParams")) { try { theme = JSON.parse(hash.get("tgWebAppThemeParams")); } catch (e) { theme = null; } }
    if (!theme) return;
    const map = { bg_color: "--bg", text_color: "--text", hint_color: "--hint", button_color: "--button",
                  button_text_color: "--button-text", secondary_bg_color: "--secondary-bg" };
    for (const [k, v] of Object.entries(map)) if (theme[k]) document.documentElement.style.setProperty(v, theme[k]);
  }
  function haptic(ok) {
    if (tg && tg.HapticFeedback) tg.HapticFeedback.notificationOccurred(ok ? "success" : "error");
    else postEvent("web_app_trigger_haptic_feedback", { type: "notification", notification_type: ok ? "success" : "error" });
    if (navigator.vibrate) navigator.vibrate(ok ? 40 : [60, 40, 60]);
  }
  function flash(ok) {
    const f = $("flash");
    f.className = ok ? "ok" : "bad";
    void f.offsetWidth;  // restart the fade
    setTimeout(() => { f.className = ""; }, 60);
  }

  // --- figures the benchmark and tests read
  const stats = window.scannerStats = { frames: 0, decodeMs: 0, reads: 0, confirmations: [], started: performance.now() };

  // --- server calls
  async function api(path, body) {
    const res = await fetch("api/" + path, { method: "POST", headers: { "Content-Type": "application/json" },
                                             body: JSON.stringify({ initData, flow, ...body }) });
    if (res.status === 403) { document.body.classList.add("refused"); show({ text: T.refused, buttons: [] }); throw new Error("forbidden"); }
    if (!res.ok) throw new Error("HTTP " + res.status);
    return res.json();
  }
  function show(state) {
    $("instruction").textContent = state.flow === null ? T.nothing : (state.text || "");
    const box = $("buttons");
    box.replaceChildren();
    for (const row of state.buttons || []) for (const b of row) {
      const el = document.createElement("button");
      el.textContent = b.label;
      el.dataset.data = b.data;
      el.addEventListener("click", () => act("press", { data: b.data }, b.label));
      box.appendChild(el);
    }
  }
  let busy = false;
  async function act(kind, body, shown, seenAt) {
    if (busy) return false;
    busy = true;
    const t0 = performance.now();
    try {
      const out = await api(kind, { ...body, id: (crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2)) });
      flash(out.ok); haptic(out.ok);
      if (!out.ok && lastSent.code === shown) lastSent.at -= 2000;  // the step may be ready for it in a moment
      $("last").textContent = T.sent.replace("{code}", shown) + (out.ok ? "" : "\n" + out.replies.join("\n"));
      show(out.state);
      stats.confirmations.push({ code: shown, ok: out.ok, seenAt: seenAt || t0, sentAt: t0, confirmedAt: performance.now(), serverMs: out.server_ms });
      return out.ok;
    } catch (e) {
      if (e.message !== "forbidden") $("last").textContent = T.offline;
      return false;
    } finally { busy = false; }
  }

  // --- the camera and the decode loop
  const canvas = document.createElement("canvas");
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  const READ = { tryHarder: true, maxNumberOfSymbols: 1, formats: ["EAN13", "EAN8", "UPCA", "UPCE", "Code128", "Code39",
                 "ITF", "DataBar", "DataBarExp", "QRCode", "DataMatrix", "PDF417"] };
  let candidate = null, lastSent = { code: null, at: 0 };
  async function loop(video) {
    if (video.readyState >= 2 && video.videoWidth) {
      const scale = Math.min(1, 960 / video.videoWidth);
      canvas.width = Math.round(video.videoWidth * scale);
      canvas.height = Math.round(video.videoHeight * scale);
      ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
      const t0 = performance.now();
      let found = [];
      try { found = await ZXingWASM.readBarcodes(ctx.getImageData(0, 0, canvas.width, canvas.height), READ); } catch (e) { found = []; }
      stats.frames += 1; stats.decodeMs += performance.now() - t0;
      const hit = found.find((r) => r.isValid && r.text);
      if (hit) {
        stats.reads += 1;
        const now = performance.now();
        // a code is taken when two frames in a row agree: one frame's misread never reaches the stock
        if (candidate && candidate.code === hit.text && now - candidate.at < 800) {
          const repeat = hit.text === lastSent.code && now - lastSent.at < 3000;
          if (!repeat && !busy) {
            lastSent = { code: hit.text, at: now };
            act("scan", { code: hit.text }, hit.text, candidate.first);
          }
          candidate.at = now;
        } else candidate = { code: hit.text, at: now, first: now };
      }
      $("stats").textContent = `${(stats.frames / ((performance.now() - stats.started) / 1000)).toFixed(1)} fps · ${(stats.decodeMs / stats.frames).toFixed(0)} ms/frame`;
    }
    next(video);
  }
  // decode each new camera frame once (a frame decoded twice tells nothing new and costs battery)
  function next(video) {
    if (video.requestVideoFrameCallback) video.requestVideoFrameCallback(() => loop(video));
    else requestAnimationFrame(() => loop(video));
  }
  async function startCamera() {
    $("status").textContent = T.starting;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) throw new Error("no camera API");
    const stream = await navigator.mediaDevices.getUserMedia({ audio: false,
      video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 }, height: { ideal: 720 } } });
    const video = $("video");
    video.srcObject = stream;
    await video.play();
    $("status").textContent = T.point;
    loop(video);
  }

  // --- start
  applyTheme();
  postEvent("web_app_ready"); postEvent("web_app_expand");
  if (tg) { tg.ready(); tg.expand(); }
  $("code").placeholder = T.type_code;
  $("send").textContent = T.send;
  $("manual").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const code = $("code").value.trim();
    if (code) act("scan", { code }, code).then(() => { $("code").value = ""; });
  });
  api("state", {}).then(show).catch(() => {});
  // the .wasm comes from this server, never from a CDN
  ZXingWASM.prepareZXingModule({ overrides: { locateFile: (path, prefix) => path.endsWith(".wasm") ? "static/vendor/zxing-wasm/" + path : prefix + path },
                                 fireImmediately: true })
    .then(startCamera)
    .catch((e) => { document.body.classList.add("nocamera"); $("status").textContent = T.no_camera; stats.cameraError = String(e); });
})();
