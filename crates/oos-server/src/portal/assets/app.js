// The OOS web portal: one page, hash routes, and the server's own APIs. Every bucket, object,
// setting and key operation is an S3, IAM or admin request made through /_portal/s3,
// /_portal/iam and /_portal/admin, which run them as the signed-in access key. No framework
// and no build step: this file is embedded in oosd as written.
"use strict";

// ---------- languages ----------
const T = {
  en: {
    "nav.buckets": "Buckets", "nav.keys": "Access keys", "nav.admin": "Administration", "logout": "Sign out",
    "lang.other": "中文", "login.title": "Sign in to OOS", "login.key": "Access key", "login.secret": "Secret key",
    "login.submit": "Sign in", "buckets.title": "Buckets", "buckets.create": "Create bucket", "name": "Name",
    "objects": "Objects", "size": "Size", "created": "Created", "actions": "Actions", "delete": "Delete",
    "settings": "Settings", "acl": "ACL", "metaRegion": "Metadata region", "dataLocation": "Data location",
    "local": "Local", "specified": "Specified", "schedule": "Scheduling", "allowed": "Allowed", "notAllowed": "Not allowed",
    "confirmDeleteBucket": "Delete bucket {0}? It must be empty.", "noBuckets": "No buckets yet.",
    "search": "Prefix", "go": "Search", "upload": "Upload files", "uploadFolder": "Upload a folder",
    "drop": "Drop files or folders here to upload", "storageClass": "Storage class", "deleteSelected": "Delete selected",
    "confirmDeleteObjects": "Delete {0} object(s)?", "next": "Next page", "prev": "Previous page", "empty": "Nothing here.",
    "lastModified": "Last modified", "class": "Class", "details": "Details", "download": "Download", "share": "Share link",
    "expires": "Expires in", "rate": "Speed limit (KiB/s, optional)", "createLink": "Create link", "copy": "Copy",
    "copied": "Copied to the clipboard", "close": "Close", "etag": "ETag", "contentType": "Content type",
    "dataRegion": "Data region", "metadata": "Metadata", "expiry": "Lifecycle expiry", "none": "none",
    "encryption": "Encryption", "bucketDefault": "bucket default", "kmsKey": "KMS key id (optional)",
    "save": "Save", "saved": "Saved", "deleted": "Deleted", "policy": "Policy", "website": "Website", "cors": "CORS",
    "lifecycle": "Lifecycle", "logging": "Logging", "accelerate": "Accelerate", "location": "Location",
    "status": "Status", "whiteList": "IP white list (one per line, at most 5)", "enabled": "Enabled", "suspended": "Suspended",
    "notSet": "Not configured.", "keys.title": "Access keys", "keys.create": "Create access key", "primary": "Primary",
    "active": "Active", "inactive": "Inactive", "enable": "Enable", "disable": "Disable", "makePrimary": "Make primary",
    "makeSecondary": "Make non-primary", "confirmDeleteKey": "Delete access key {0}?",
    "secretOnce": "This secret is shown only now. Copy it and keep it safe: it cannot be shown again.",
    "admin.accounts": "Accounts", "admin.create": "Create account", "regionsOpt": "Regions (comma-separated, empty: all)",
    "admin.pools": "Pools and disks", "admin.server": "Server", "version": "Version", "uptime": "Uptime",
    "regions": "Regions", "healQueue": "Heal queue", "disks": "Disks", "state": "State", "free": "Free",
    "account": "Account", "disabled": "disabled", "uploading": "Uploading", "done": "done", "failed": "failed",
    "folder": "folder", "nonPrimaryNote": "Only primary keys manage access keys.",
    "showVersions": "Show versions", "versionId": "Version ID", "latest": "latest", "deleteMarker": "delete marker",
    "restore": "Restore", "deleteVersion": "Delete version", "restored": "Restored as the latest version",
    "confirmDeleteVersion": "Delete version {0} of {1} for good? This cannot be undone.",
    "versioning": "Versioning", "objectLock": "Object Lock", "neverVersioned": "Never enabled",
    "lockDefault": "Default retention", "lockDays": "Days", "lockOff": "Object Lock is not enabled on this bucket (it can be once versioning is enabled).",
    "enableLock": "Enable Object Lock", "retention": "Retention", "legalHold": "Legal hold", "until": "until",
    "jsonError": "Not valid JSON: {0}", "back": "Back to objects",
  },
  "zh-CN": {
    "nav.buckets": "存储桶", "nav.keys": "访问密钥", "nav.admin": "系统管理", "logout": "退出",
    "lang.other": "English", "login.title": "登录 OOS", "login.key": "AccessKey", "login.secret": "SecretKey",
    "login.submit": "登录", "buckets.title": "存储桶", "buckets.create": "创建存储桶", "name": "名称",
    "objects": "对象数", "size": "大小", "created": "创建时间", "actions": "操作", "delete": "删除",
    "settings": "设置", "acl": "访问权限", "metaRegion": "索引位置", "dataLocation": "数据位置",
    "local": "就近写入", "specified": "指定位置", "schedule": "调度策略", "allowed": "允许调度", "notAllowed": "不允许调度",
    "confirmDeleteBucket": "删除存储桶 {0}？存储桶必须为空。", "noBuckets": "还没有存储桶。",
    "search": "前缀", "go": "搜索", "upload": "上传文件", "uploadFolder": "上传文件夹",
    "drop": "将文件或文件夹拖放到此处上传", "storageClass": "存储类型", "deleteSelected": "删除所选",
    "confirmDeleteObjects": "删除 {0} 个对象？", "next": "下一页", "prev": "上一页", "empty": "这里什么也没有。",
    "lastModified": "最后修改", "class": "存储类型", "details": "详情", "download": "下载", "share": "分享链接",
    "expires": "有效期", "rate": "限速（KiB/s，可选）", "createLink": "生成链接", "copy": "复制",
    "copied": "已复制到剪贴板", "close": "关闭", "etag": "ETag", "contentType": "内容类型",
    "dataRegion": "数据位置", "metadata": "元数据", "expiry": "生命周期过期", "none": "无",
    "encryption": "加密", "bucketDefault": "存储桶默认", "kmsKey": "KMS 密钥 ID（可选）",
    "save": "保存", "saved": "已保存", "deleted": "已删除", "policy": "存储桶策略", "website": "静态网站", "cors": "跨域设置",
    "lifecycle": "生命周期", "logging": "访问日志", "accelerate": "CDN 加速", "location": "位置",
    "status": "状态", "whiteList": "IP 白名单（每行一个，最多 5 个）", "enabled": "启用", "suspended": "暂停",
    "notSet": "未配置。", "keys.title": "访问密钥", "keys.create": "创建密钥", "primary": "主密钥",
    "active": "启用", "inactive": "停用", "enable": "启用", "disable": "停用", "makePrimary": "设为主密钥",
    "makeSecondary": "设为普通密钥", "confirmDeleteKey": "删除访问密钥 {0}？",
    "secretOnce": "SecretKey 仅显示这一次。请立即复制并妥善保存，之后无法再次查看。",
    "admin.accounts": "账户", "admin.create": "创建账户", "regionsOpt": "区域（逗号分隔，留空表示全部）",
    "admin.pools": "存储池与磁盘", "admin.server": "服务器", "version": "版本", "uptime": "运行时间",
    "regions": "区域", "healQueue": "修复队列", "disks": "磁盘", "state": "状态", "free": "可用",
    "account": "账户", "disabled": "已停用", "uploading": "上传中", "done": "完成", "failed": "失败",
    "folder": "文件夹", "nonPrimaryNote": "只有主密钥可以管理访问密钥。",
    "showVersions": "显示版本", "versionId": "版本 ID", "latest": "最新", "deleteMarker": "删除标记",
    "restore": "恢复", "deleteVersion": "删除版本", "restored": "已恢复为最新版本",
    "confirmDeleteVersion": "永久删除 {1} 的版本 {0}？此操作无法撤销。",
    "versioning": "版本控制", "objectLock": "对象锁定", "neverVersioned": "从未启用",
    "lockDefault": "默认保留", "lockDays": "天数", "lockOff": "此存储桶未启用对象锁定（启用版本控制后可以启用）。",
    "enableLock": "启用对象锁定", "retention": "保留", "legalHold": "法律保留", "until": "至",
    "jsonError": "JSON 格式错误：{0}", "back": "返回对象列表",
  },
};
let lang = document.documentElement.lang === "zh-CN" ? "zh-CN" : "en";
const t = (key, ...args) => (T[lang][key] || T.en[key] || key).replace(/\{(\d)\}/g, (_, i) => args[i]);

// ---------- small helpers ----------
const $ = (sel, root = document) => root.querySelector(sel);
const main = () => $("#main");
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
const encKey = (key) => key.split("/").map(encodeURIComponent).join("/");
const human = (n) => {
  n = Number(n);
  if (n < 1024) return n + " B";
  const units = ["KiB", "MiB", "GiB", "TiB", "PiB"];
  let i = -1;
  do { n /= 1024; i++; } while (n >= 1024 && i < units.length - 1);
  return n.toFixed(n < 10 ? 1 : 0) + " " + units[i];
};
const when = (iso) => (iso ? new Date(iso).toLocaleString(lang) : "");
function toast(msg) {
  const el = $("#toast");
  el.textContent = msg;
  el.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (el.hidden = true), 3000);
}
function html(strings, ...values) {
  return strings.reduce((out, s, i) => out + s + (i < values.length ? values[i] : ""), "");
}

// MD5 (for the Content-MD5 that S3 requires on CORS, lifecycle and DeleteObjects bodies;
// WebCrypto has no MD5). RFC 1321, on a Uint8Array; returns 16 bytes.
function md5(bytes) {
  const K = new Uint32Array(64), S = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
  for (let i = 0; i < 64; i++) K[i] = Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) >>> 0;
  const len = bytes.length, padded = new Uint8Array((((len + 8) >> 6) + 1) << 6);
  padded.set(bytes);
  padded[len] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 8, (len * 8) >>> 0, true);
  view.setUint32(padded.length - 4, Math.floor(len / 0x20000000), true);
  let a0 = 0x67452301, b0 = 0xefcdab89, c0 = 0x98badcfe, d0 = 0x10325476;
  for (let off = 0; off < padded.length; off += 64) {
    let a = a0, b = b0, c = c0, d = d0;
    for (let i = 0; i < 64; i++) {
      let f, g;
      if (i < 16) { f = (b & c) | (~b & d); g = i; }
      else if (i < 32) { f = (d & b) | (~d & c); g = (5 * i + 1) % 16; }
      else if (i < 48) { f = b ^ c ^ d; g = (3 * i + 5) % 16; }
      else { f = c ^ (b | ~d); g = (7 * i) % 16; }
      const tmp = d;
      d = c;
      c = b;
      const x = (a + f + K[i] + view.getUint32(off + g * 4, true)) >>> 0;
      const s = S[(i >> 4) * 4 + (i % 4)];
      b = (b + ((x << s) | (x >>> (32 - s)))) >>> 0;
      a = tmp;
    }
    a0 = (a0 + a) >>> 0; b0 = (b0 + b) >>> 0; c0 = (c0 + c) >>> 0; d0 = (d0 + d) >>> 0;
  }
  const out = new DataView(new ArrayBuffer(16));
  [a0, b0, c0, d0].forEach((v, i) => out.setUint32(i * 4, v, true));
  return new Uint8Array(out.buffer);
}
const contentMd5 = (text) => btoa(String.fromCharCode(...md5(new TextEncoder().encode(text))));

// ---------- the session and the APIs ----------
let me = null;

class ApiError extends Error {
  constructor(status, code, message, requestId) {
    super(message || code || "HTTP " + status);
    Object.assign(this, { status, code, requestId });
  }
  toString() {
    return (this.code ? this.code + ": " : "") + this.message + (this.requestId ? " (" + this.requestId + ")" : "");
  }
}

async function call(method, url, { headers = {}, body } = {}) {
  const h = new Headers(headers);
  if (me && method !== "GET" && method !== "HEAD") h.set("X-OOS-CSRF", me.csrf);
  const resp = await fetch(url, { method, headers: h, body, credentials: "same-origin" });
  if (resp.status === 403 && !me) throw new ApiError(403, "AccessDenied", "Please sign in.");
  return resp;
}

function xmlOf(text) {
  return new DOMParser().parseFromString(text, "application/xml");
}
const all = (node, name) => Array.from(node.getElementsByTagName(name));
const text = (node, name) => {
  const el = node.getElementsByTagName(name)[0];
  return el ? el.textContent : "";
};

async function failure(resp) {
  const body = await resp.text();
  let code = "", message = body, requestId = resp.headers.get("x-amz-request-id") || "";
  if (body.startsWith("<")) {
    const doc = xmlOf(body);
    code = text(doc, "Code");
    message = text(doc, "Message");
    requestId = text(doc, "RequestId") || requestId;
  } else if (body.startsWith("{")) {
    try { const j = JSON.parse(body); code = j.code || ""; message = j.error || body; } catch (_) { /* as text */ }
  }
  if (resp.status === 403 && /sign in/i.test(message)) { me = null; location.hash = "#/login"; }
  return new ApiError(resp.status, code, message, requestId);
}

// An S3 request as the signed-in key: path is "/bucket/key", query an object.
async function s3(method, path, { query = {}, headers = {}, body } = {}) {
  const qs = Object.entries(query).filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => (v === "" ? encodeURIComponent(k) : encodeURIComponent(k) + "=" + encodeURIComponent(v))).join("&");
  const resp = await call(method, "/_portal/s3" + path + (qs ? "?" + qs : ""), { headers, body });
  if (!resp.ok) throw await failure(resp);
  return resp;
}
const s3xml = async (...args) => xmlOf(await (await s3(...args)).text());

async function iam(params) {
  const resp = await call("POST", "/_portal/iam", {
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ Version: "2010-05-08", ...params }).toString(),
  });
  if (!resp.ok) throw await failure(resp);
  return xmlOf(await resp.text());
}

async function api(method, path, json) {
  const resp = await call(method, path, json === undefined ? {} : { headers: { "Content-Type": "application/json" }, body: JSON.stringify(json) });
  if (!resp.ok) throw await failure(resp);
  return resp.status === 204 ? null : resp.json();
}

// ---------- routing ----------
const routes = [
  [/^#\/login$/, loginView],
  [/^#\/buckets$/, bucketsView],
  [/^#\/b\/([^/]+)\/settings\/(\w+)$/, settingsView],
  [/^#\/b\/([^/]+)\/o\/(.+)$/, objectView],
  [/^#\/b\/([^/]+)\/?(.*)$/, objectsView],
  [/^#\/keys$/, keysView],
  [/^#\/admin$/, adminView],
];

async function render() {
  applyChrome();
  const hash = location.hash || "#/buckets";
  if (!me && hash !== "#/login") {
    try { me = await api("GET", "/_portal/api/session"); } catch (_) { me = null; }
    if (!me) { location.hash = "#/login"; return; }
    applyChrome();
  }
  for (const [re, view] of routes) {
    const m = hash.match(re);
    if (m) {
      try {
        await view(...m.slice(1).map(decodeURIComponent));
      } catch (e) {
        main().innerHTML = html`<div class="error" id="page-error">${esc(String(e))}</div>`;
      }
      markNav(hash);
      return;
    }
  }
  location.hash = "#/buckets";
}

function applyChrome() {
  document.documentElement.lang = lang;
  document.querySelectorAll("[data-t]").forEach((el) => (el.textContent = t(el.dataset.t)));
  $("#lang-switch").textContent = t("lang.other");
  $("#nav").hidden = !me;
  $("#logout").hidden = !me;
  $("#nav-admin").hidden = !(me && me.root);
  $("#who").textContent = me ? me.account + " · " + me.access_key : "";
}

function markNav(hash) {
  document.querySelectorAll("#nav a").forEach((a) => a.classList.toggle("active", hash.startsWith(a.getAttribute("href").slice(0, 4))));
}

// ---------- sign in ----------
async function loginView() {
  if (me) { location.hash = "#/buckets"; return; }
  main().innerHTML = html`<form class="card login" id="login-form">
    <h1>${t("login.title")}</h1>
    <label for="login-key">${t("login.key")}</label><input type="text" id="login-key" autocomplete="username" required>
    <label for="login-secret">${t("login.secret")}</label><input type="password" id="login-secret" autocomplete="current-password" required>
    <div id="login-error" class="error" hidden></div>
    <p><button class="primary" type="submit" id="login-submit">${t("login.submit")}</button></p>
  </form>`;
  $("#login-form").onsubmit = async (ev) => {
    ev.preventDefault();
    try {
      me = await api("POST", "/_portal/api/login", { access_key: $("#login-key").value.trim(), secret_key: $("#login-secret").value });
      location.hash = "#/buckets";
    } catch (e) {
      $("#login-error").textContent = e.message;
      $("#login-error").hidden = false;
    }
  };
}

// ---------- buckets ----------
async function bucketsView() {
  const [rows, regions] = await Promise.all([api("GET", "/_portal/api/buckets"), s3xml("GET", "/", { query: { regions: "" } })]);
  const meta = all(regions, "MetadataRegions").flatMap((n) => all(n, "Region").map((r) => r.textContent));
  const data = all(regions, "DataRegions").flatMap((n) => all(n, "Region").map((r) => r.textContent));
  main().innerHTML = html`<h1>${t("buckets.title")}</h1>
  <table id="buckets"><thead><tr><th>${t("name")}</th><th class="num">${t("objects")}</th><th class="num">${t("size")}</th><th>${t("created")}</th><th>${t("actions")}</th></tr></thead>
  <tbody>${rows.map((b) => html`<tr data-bucket="${esc(b.name)}"><td><a href="#/b/${encodeURIComponent(b.name)}/">${esc(b.name)}</a></td>
    <td class="num">${b.objects}</td><td class="num">${human(b.bytes)}</td><td>${when(b.created)}</td>
    <td><a class="button" href="#/b/${encodeURIComponent(b.name)}/settings/acl">${t("settings")}</a>
    <button class="danger" data-delete="${esc(b.name)}">${t("delete")}</button></td></tr>`).join("") || html`<tr><td colspan="5" class="muted">${t("noBuckets")}</td></tr>`}</tbody></table>
  <form class="card" id="create-bucket"><h2>${t("buckets.create")}</h2>
    <div class="row"><label>${t("name")} <input type="text" id="new-bucket" required pattern="[a-z0-9][a-z0-9.\\-]{1,61}[a-z0-9]"></label>
    <label>${t("acl")} <select id="new-acl"><option>private</option><option>public-read</option><option>public-read-write</option></select></label></div>
    <div class="row"><label>${t("metaRegion")} <select id="new-meta">${meta.map((r) => `<option>${esc(r)}</option>`).join("")}</select></label>
    <label>${t("dataLocation")} <select id="new-type"><option value="Local">${t("local")}</option><option value="Specified">${t("specified")}</option></select></label>
    <span id="new-regions" hidden>${data.map((r) => `<label><input type="checkbox" value="${esc(r)}">${esc(r)}</label>`).join("")}</span>
    <label>${t("schedule")} <select id="new-schedule"><option value="Allowed">${t("allowed")}</option><option value="NotAllowed">${t("notAllowed")}</option></select></label></div>
    <div id="create-error" class="error" hidden></div>
    <button class="primary" type="submit">${t("buckets.create")}</button></form>`;
  $("#new-type").onchange = () => ($("#new-regions").hidden = $("#new-type").value !== "Specified");
  $("#create-bucket").onsubmit = async (ev) => {
    ev.preventDefault();
    const name = $("#new-bucket").value.trim();
    const type = $("#new-type").value;
    const list = type === "Specified" ? Array.from(document.querySelectorAll("#new-regions input:checked")).map((c) => c.value) : [];
    const body = `<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
      `<MetadataLocationConstraint><Location>${esc($("#new-meta").value)}</Location></MetadataLocationConstraint>` +
      `<DataLocationConstraint><Type>${type}</Type>` +
      (type === "Specified" ? `<LocationList>${list.map((r) => `<Location>${esc(r)}</Location>`).join("")}</LocationList>` : "") +
      `<ScheduleStrategy>${$("#new-schedule").value}</ScheduleStrategy></DataLocationConstraint></CreateBucketConfiguration>`;
    try {
      await s3("PUT", "/" + encodeURIComponent(name), { headers: { "x-amz-acl": $("#new-acl").value, "Content-Type": "application/xml" }, body });
      await bucketsView();
      toast(name);
    } catch (e) {
      $("#create-error").textContent = String(e);
      $("#create-error").hidden = false;
    }
  };
  document.querySelectorAll("[data-delete]").forEach((b) => (b.onclick = async () => {
    const name = b.dataset.delete;
    if (!confirm(t("confirmDeleteBucket", name))) return;
    try {
      await s3("DELETE", "/" + encodeURIComponent(name));
      await bucketsView();
      toast(t("deleted"));
    } catch (e) { toast(String(e)); }
  }));
}

// ---------- objects ----------
const pageTokens = {};
async function objectsView(bucket, prefix = "", token = "") {
  const params = new URLSearchParams(location.hash.split("?")[1] || "");
  prefix = params.get("prefix") ?? prefix.split("?")[0];
  token = params.get("token") || "";
  if (params.get("versions") === "1") return versionsView(bucket, prefix, params);
  const doc = await s3xml("GET", "/" + encodeURIComponent(bucket), {
    query: { "list-type": "2", delimiter: "/", prefix, "max-keys": "200", "continuation-token": token || undefined },
  });
  const folders = all(doc, "CommonPrefixes").map((p) => text(p, "Prefix"));
  const objects = all(doc, "Contents").map((c) => ({ key: text(c, "Key"), size: text(c, "Size"), modified: text(c, "LastModified"), cls: text(c, "StorageClass") }));
  const next = text(doc, "NextContinuationToken");
  const stack = (pageTokens[bucket + "\n" + prefix] ||= []);
  const bHref = "#/b/" + encodeURIComponent(bucket) + "/";
  const at = (p, tok) => bHref + "?prefix=" + encodeURIComponent(p) + (tok ? "&token=" + encodeURIComponent(tok) : "");
  const parts = prefix.split("/").filter(Boolean);
  const crumbs = [`<a href="${at("")}">${esc(bucket)}</a>`].concat(parts.map((p, i) => `<a href="${at(parts.slice(0, i + 1).join("/") + "/")}">${esc(p)}</a>`));
  main().innerHTML = html`<h1 class="crumbs">${crumbs.join(" / ")}</h1>
  <div class="row"><form id="search"><input type="text" id="prefix" value="${esc(prefix)}" placeholder="${t("search")}"> <button>${t("go")}</button></form>
    <label><input type="checkbox" id="show-versions"> ${t("showVersions")}</label>
    <span class="spacer"></span><a class="button" href="${bHref}settings/acl">${t("settings")}</a></div>
  <div class="card"><div class="row">
    <label>${t("storageClass")} <select id="upload-class"><option>STANDARD</option><option>STANDARD_IA</option><option>REDUCED_REDUNDANCY</option><option>EC_2_1</option><option>EC_4_2</option></select></label>
    <label>${t("dataLocation")} <input type="text" id="upload-location" size="44" placeholder="type=Local,scheduleStrategy=Allowed"></label></div>
    <div class="row"><label>${t("encryption")} <select id="upload-sse"><option value="">${t("bucketDefault")}</option><option value="AES256">SSE-S3 (AES256)</option><option value="aws:kms">SSE-KMS</option></select></label>
    <input type="text" id="upload-kms" size="36" placeholder="${t("kmsKey")}"></div>
    <div class="row"><label class="button">${t("upload")}<input type="file" id="pick-files" multiple hidden></label>
    <label class="button">${t("uploadFolder")}<input type="file" id="pick-folder" webkitdirectory multiple hidden></label></div>
    <div id="dropzone">${t("drop")}</div><table id="uploads"></table></div>
  <div class="row"><button class="danger" id="delete-selected" disabled>${t("deleteSelected")}</button></div>
  <table id="objects"><thead><tr><th></th><th>${t("name")}</th><th class="num">${t("size")}</th><th>${t("class")}</th><th>${t("lastModified")}</th></tr></thead><tbody>
  ${folders.map((f) => html`<tr class="folder"><td></td><td><a href="${at(f)}" data-folder="${esc(f)}">${esc(f.slice(prefix.length))}</a></td><td class="num muted">${t("folder")}</td><td></td><td></td></tr>`).join("")}
  ${objects.map((o) => html`<tr data-key="${esc(o.key)}"><td><input type="checkbox" value="${esc(o.key)}"></td><td><a href="${bHref}o/${encodeURIComponent(o.key)}">${esc(o.key.slice(prefix.length))}</a></td>
    <td class="num">${human(o.size)}</td><td>${esc(o.cls)}</td><td>${when(o.modified)}</td></tr>`).join("")}
  ${folders.length + objects.length ? "" : `<tr><td colspan="5" class="muted">${t("empty")}</td></tr>`}
  </tbody></table>
  <div class="row">${token ? `<a class="button" id="prev-page" href="${at(prefix, stack[stack.indexOf(token) - 1] || "")}">${t("prev")}</a>` : ""}
  ${next ? `<a class="button" id="next-page" href="${at(prefix, next)}">${t("next")}</a>` : ""}</div>`;
  if (next && !stack.includes(next)) stack.push(next);
  $("#search").onsubmit = (ev) => { ev.preventDefault(); location.hash = at($("#prefix").value); };
  $("#show-versions").onchange = () => { location.hash = at(prefix) + "&versions=1"; };
  const boxes = () => Array.from(document.querySelectorAll("#objects input:checked")).map((c) => c.value);
  $("#objects").onchange = () => ($("#delete-selected").disabled = boxes().length === 0);
  $("#delete-selected").onclick = async () => {
    const keys = boxes();
    if (!keys.length || !confirm(t("confirmDeleteObjects", keys.length))) return;
    const body = `<Delete><Quiet>true</Quiet>${keys.map((k) => `<Object><Key>${esc(k)}</Key></Object>`).join("")}</Delete>`;
    try {
      await s3("POST", "/" + encodeURIComponent(bucket), { query: { delete: "" }, headers: { "Content-MD5": contentMd5(body), "Content-Type": "application/xml" }, body });
      toast(t("deleted"));
      await render();
    } catch (e) { toast(String(e)); }
  };
  const start = (files) => uploadAll(bucket, prefix, files);
  $("#pick-files").onchange = (ev) => start(Array.from(ev.target.files).map((f) => [f.name, f]));
  $("#pick-folder").onchange = (ev) => start(Array.from(ev.target.files).map((f) => [f.webkitRelativePath || f.name, f]));
  const zone = $("#dropzone");
  zone.ondragover = (ev) => { ev.preventDefault(); zone.classList.add("over"); };
  zone.ondragleave = () => zone.classList.remove("over");
  zone.ondrop = async (ev) => {
    ev.preventDefault();
    zone.classList.remove("over");
    start(await droppedFiles(ev.dataTransfer));
  };
}

// Every version and delete marker under a prefix, newest first within a key: restore an old
// version (copied over its key, so nothing is lost) or delete one for good, after confirming.
async function versionsView(bucket, prefix, params) {
  const keyMarker = params.get("key-marker") || "", versionMarker = params.get("version-id-marker") || "";
  const doc = await s3xml("GET", "/" + encodeURIComponent(bucket), {
    query: { versions: "", delimiter: "/", prefix, "max-keys": "200", "key-marker": keyMarker || undefined, "version-id-marker": versionMarker || undefined },
  });
  const rows = Array.from(doc.documentElement.children).filter((n) => n.tagName === "Version" || n.tagName === "DeleteMarker")
    .map((n) => ({ key: text(n, "Key"), id: text(n, "VersionId"), latest: text(n, "IsLatest") === "true", marker: n.tagName === "DeleteMarker", size: text(n, "Size"), modified: text(n, "LastModified") }));
  const folders = all(doc, "CommonPrefixes").map((p) => text(p, "Prefix"));
  const bHref = "#/b/" + encodeURIComponent(bucket) + "/";
  const at = (p) => bHref + "?prefix=" + encodeURIComponent(p) + "&versions=1";
  const next = text(doc, "IsTruncated") === "true"
    ? at(prefix) + "&key-marker=" + encodeURIComponent(text(doc, "NextKeyMarker")) + "&version-id-marker=" + encodeURIComponent(text(doc, "NextVersionIdMarker")) : "";
  main().innerHTML = html`<h1 class="crumbs"><a href="${bHref}?prefix=${encodeURIComponent(prefix)}">${esc(bucket)}</a> / ${esc(prefix)}</h1>
  <div class="row"><label><input type="checkbox" id="show-versions" checked> ${t("showVersions")}</label></div>
  <table id="versions"><thead><tr><th>${t("name")}</th><th>${t("versionId")}</th><th class="num">${t("size")}</th><th>${t("lastModified")}</th><th>${t("actions")}</th></tr></thead><tbody>
  ${folders.map((f) => html`<tr class="folder"><td><a href="${at(f)}">${esc(f.slice(prefix.length))}</a></td><td></td><td class="num muted">${t("folder")}</td><td></td><td></td></tr>`).join("")}
  ${rows.map((r) => html`<tr data-key="${esc(r.key)}" data-version="${esc(r.id)}" class="${r.latest ? "latest" : ""}">
    <td>${esc(r.key.slice(prefix.length))}${r.latest ? ` <span class="badge">${t("latest")}</span>` : ""}</td>
    <td><code>${esc(r.id)}</code></td><td class="num">${r.marker ? `<span class="muted">${t("deleteMarker")}</span>` : human(r.size)}</td><td>${when(r.modified)}</td>
    <td>${r.marker || r.latest ? "" : `<button data-act="restore">${t("restore")}</button>`} <button class="danger" data-act="delete-version">${t("deleteVersion")}</button></td></tr>`).join("")}
  ${folders.length + rows.length ? "" : `<tr><td colspan="5" class="muted">${t("empty")}</td></tr>`}
  </tbody></table><div id="versions-error" class="error" hidden></div>
  <div class="row">${next ? `<a class="button" id="next-page" href="${next}">${t("next")}</a>` : ""}</div>`;
  $("#show-versions").onchange = () => { location.hash = bHref + "?prefix=" + encodeURIComponent(prefix); };
  const fail = (e) => { const el = $("#versions-error"); el.textContent = String(e); el.hidden = false; };
  $("#versions").onclick = async (ev) => {
    const act = ev.target.dataset.act;
    const tr = ev.target.closest("tr[data-version]");
    if (!act || !tr) return;
    const { key, version } = tr.dataset;
    const path = "/" + encodeURIComponent(bucket) + "/" + encKey(key);
    try {
      if (act === "restore") {
        const source = "/" + encodeURIComponent(bucket) + "/" + encKey(key) + "?versionId=" + encodeURIComponent(version);
        await s3("PUT", path, { headers: { "x-amz-copy-source": source } });
        toast(t("restored"));
      } else {
        if (!confirm(t("confirmDeleteVersion", version, key))) return;
        await s3("DELETE", path, { query: { versionId: version } });
        toast(t("deleted"));
      }
      await render();
    } catch (e) { fail(e); }
  };
}

// Files of a drop, folders walked (their relative paths become key names).
async function droppedFiles(dt) {
  const entries = Array.from(dt.items || []).map((i) => i.webkitGetAsEntry && i.webkitGetAsEntry()).filter(Boolean);
  if (!entries.length) return Array.from(dt.files).map((f) => [f.name, f]);
  const out = [];
  const walk = async (entry, path) => {
    if (entry.isFile) {
      out.push([path + entry.name, await new Promise((res, rej) => entry.file(res, rej))]);
    } else if (entry.isDirectory) {
      const reader = entry.createReader();
      for (;;) {
        const batch = await new Promise((res, rej) => reader.readEntries(res, rej));
        if (!batch.length) break;
        for (const e of batch) await walk(e, path + entry.name + "/");
      }
    }
  };
  for (const e of entries) await walk(e, "");
  return out;
}

const PART_SIZE = 8 * 1024 * 1024;
const MULTIPART_ABOVE = 16 * 1024 * 1024;
const PARALLEL_PARTS = 3;

async function uploadAll(bucket, prefix, files) {
  const table = $("#uploads");
  for (const [name, file] of files) {
    const key = prefix + name;
    const row = table.insertRow();
    row.dataset.upload = key;
    row.innerHTML = html`<td>${esc(key)}</td><td><span class="progress"><div></div></span></td><td class="state">${t("uploading")}</td>`;
    const bar = row.querySelector(".progress > div");
    try {
      await uploadOne(bucket, key, file, (sent) => (bar.style.width = Math.round((100 * sent) / Math.max(file.size, 1)) + "%"));
      bar.style.width = "100%";
      row.querySelector(".state").textContent = t("done");
      row.querySelector(".state").className = "state ok";
    } catch (e) {
      row.querySelector(".state").textContent = t("failed") + ": " + e;
      row.querySelector(".state").className = "state error";
    }
  }
  if (location.hash.startsWith("#/b/")) {
    // Re-list, keeping the upload rows (moved, not re-parsed: their bars keep their width).
    const rows = Array.from(table.rows);
    await render();
    const fresh = $("#uploads");
    if (fresh) rows.forEach((r) => fresh.appendChild(r));
  }
}

function uploadHeaders() {
  const h = { "x-amz-storage-class": $("#upload-class").value };
  const loc = $("#upload-location").value.trim();
  if (loc) h["x-ctyun-data-location"] = loc;
  // Encryption is asked once per object: on the PUT, or on the multipart initiation.
  const sse = $("#upload-sse").value;
  if (sse) h["x-amz-server-side-encryption"] = sse;
  const kms = $("#upload-kms").value.trim();
  if (sse === "aws:kms" && kms) h["x-amz-server-side-encryption-aws-kms-key-id"] = kms;
  return h;
}

// One PUT with upload progress (fetch has none); resolves with the response's ETag.
function put(url, body, headers, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", url);
    xhr.setRequestHeader("X-OOS-CSRF", me.csrf);
    for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => onProgress(e.loaded);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) return resolve(xhr.getResponseHeader("ETag"));
      const doc = xmlOf(xhr.responseText || "<x/>");
      reject(new ApiError(xhr.status, text(doc, "Code"), text(doc, "Message"), text(doc, "RequestId")));
    };
    xhr.onerror = () => reject(new Error("network error"));
    xhr.send(body);
  });
}

async function uploadOne(bucket, key, file, onProgress) {
  const path = "/_portal/s3/" + encodeURIComponent(bucket) + "/" + encKey(key);
  const headers = uploadHeaders();
  if (file.size <= MULTIPART_ABOVE) {
    await put(path, file, { ...headers, "Content-Type": file.type || "application/octet-stream" }, onProgress);
    return;
  }
  // Multipart: parts in parallel; the upload is aborted if any part fails.
  const init = await s3xml("POST", "/" + encodeURIComponent(bucket) + "/" + encKey(key), {
    query: { uploads: "" }, headers: { ...headers, "Content-Type": file.type || "application/octet-stream" },
  });
  const uploadId = text(init, "UploadId");
  const count = Math.ceil(file.size / PART_SIZE);
  const sent = new Array(count).fill(0);
  const etags = new Array(count);
  let nextPart = 0;
  const worker = async () => {
    while (nextPart < count) {
      const i = nextPart++;
      const blob = file.slice(i * PART_SIZE, Math.min(file.size, (i + 1) * PART_SIZE));
      etags[i] = await put(path + "?partNumber=" + (i + 1) + "&uploadId=" + encodeURIComponent(uploadId), blob, {}, (n) => {
        sent[i] = n;
        onProgress(sent.reduce((a, b) => a + b, 0));
      });
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(PARALLEL_PARTS, count) }, worker));
    const body = `<CompleteMultipartUpload>${etags.map((e, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${esc(e)}</ETag></Part>`).join("")}</CompleteMultipartUpload>`;
    await s3("POST", "/" + encodeURIComponent(bucket) + "/" + encKey(key), { query: { uploadId }, headers: { "Content-Type": "application/xml" }, body });
  } catch (e) {
    await s3("DELETE", "/" + encodeURIComponent(bucket) + "/" + encKey(key), { query: { uploadId } }).catch(() => {});
    throw e;
  }
}

// ---------- one object ----------
async function objectView(bucket, key) {
  const resp = await s3("HEAD", "/" + encodeURIComponent(bucket) + "/" + encKey(key));
  const h = resp.headers;
  const meta = [];
  h.forEach((v, k) => { if (k.startsWith("x-amz-meta-")) meta.push(k.slice(11) + ": " + v); });
  const folder = key.includes("/") ? key.slice(0, key.lastIndexOf("/") + 1) : "";
  const download = "/_portal/s3/" + encodeURIComponent(bucket) + "/" + encKey(key) + "?response-content-disposition=" +
    encodeURIComponent("attachment; filename=\"" + key.split("/").pop().replace(/"/g, "") + "\"");
  main().innerHTML = html`<h1 class="crumbs"><a href="#/b/${encodeURIComponent(bucket)}/?prefix=${encodeURIComponent(folder)}">${esc(bucket)}</a> / ${esc(key)}</h1>
  <div class="card"><dl class="details" id="object-details">
    <dt>${t("size")}</dt><dd id="d-size">${human(h.get("content-length") || 0)} (${esc(h.get("content-length"))} B)</dd>
    <dt>${t("etag")}</dt><dd id="d-etag">${esc(h.get("etag"))}</dd>
    <dt>${t("class")}</dt><dd id="d-class">${esc(h.get("x-amz-storage-class") || "STANDARD")}</dd>
    <dt>${t("encryption")}</dt><dd id="d-sse">${esc([h.get("x-amz-server-side-encryption"), h.get("x-amz-server-side-encryption-aws-kms-key-id")].filter(Boolean).join(" ") || t("none"))}</dd>
    <dt>${t("dataRegion")}</dt><dd id="d-region">${esc(h.get("x-ctyun-data-location") || document.body.dataset.region)}</dd>
    <dt>${t("contentType")}</dt><dd>${esc(h.get("content-type"))}</dd>
    <dt>${t("lastModified")}</dt><dd>${esc(h.get("last-modified"))}</dd>
    <dt>${t("metadata")}</dt><dd>${meta.map(esc).join("<br>") || t("none")}</dd>
    <dt>${t("expiry")}</dt><dd id="d-expiry">${esc(h.get("x-amz-expiration") || t("none"))}</dd>
    <dt>${t("versionId")}</dt><dd id="d-version">${esc(h.get("x-amz-version-id") || t("none"))}</dd>
    <dt>${t("retention")}</dt><dd id="d-retention">${h.get("x-amz-object-lock-mode")
      ? esc(h.get("x-amz-object-lock-mode")) + " " + t("until") + " " + esc(h.get("x-amz-object-lock-retain-until-date")) : t("none")}</dd>
    <dt>${t("legalHold")}</dt><dd id="d-legal-hold">${esc(h.get("x-amz-object-lock-legal-hold") || t("none"))}</dd>
  </dl>
  <div class="row"><a class="button" id="download" href="${download}">${t("download")}</a>
  <button id="share-open" class="primary">${t("share")}</button>
  <button id="delete-object" class="danger">${t("delete")}</button></div></div>
  <dialog id="share"><h2>${t("share")}</h2>
    <div class="row"><label>${t("expires")} <select id="share-expires"><option value="900">15 min</option><option value="3600">1 h</option><option value="86400">1 d</option><option value="604800">7 d</option></select></label></div>
    <div class="row"><label>${t("rate")} <input type="number" id="share-rate" min="1"></label></div>
    <div class="row"><button class="primary" id="share-create">${t("createLink")}</button></div>
    <div class="row"><input type="text" id="share-url" readonly size="60"> <button id="share-copy">${t("copy")}</button></div>
    <div id="share-error" class="error" hidden></div>
    <div class="row"><button id="share-close">${t("close")}</button></div></dialog>`;
  $("#share-open").onclick = () => $("#share").showModal();
  $("#share-close").onclick = () => $("#share").close();
  $("#share-create").onclick = async () => {
    try {
      const rate = $("#share-rate").value;
      const r = await api("POST", "/_portal/api/share", { bucket, key, expires: Number($("#share-expires").value), rate: rate ? Number(rate) : undefined });
      $("#share-url").value = r.url;
      $("#share-error").hidden = true;
    } catch (e) {
      $("#share-error").textContent = String(e);
      $("#share-error").hidden = false;
    }
  };
  $("#share-copy").onclick = async () => {
    $("#share-url").select();
    try { await navigator.clipboard.writeText($("#share-url").value); } catch (_) { document.execCommand("copy"); }
    toast(t("copied"));
  };
  $("#delete-object").onclick = async () => {
    if (!confirm(t("confirmDeleteObjects", 1))) return;
    await s3("DELETE", "/" + encodeURIComponent(bucket) + "/" + encKey(key));
    location.hash = "#/b/" + encodeURIComponent(bucket) + "/?prefix=" + encodeURIComponent(folder);
  };
}

// ---------- bucket settings ----------
const TABS = ["acl", "policy", "versioning", "website", "cors", "lifecycle", "logging", "accelerate", "location"];
async function settingsView(bucket, tab) {
  const b = "/" + encodeURIComponent(bucket);
  main().innerHTML = html`<h1 class="crumbs"><a href="#/b/${encodeURIComponent(bucket)}/">${esc(bucket)}</a> / ${t("settings")}</h1>
    <div class="tabs">${TABS.map((x) => `<a href="#/b/${encodeURIComponent(bucket)}/settings/${x}" class="${x === tab ? "active" : ""}">${t(x)}</a>`).join("")}</div>
    <div class="card" id="setting"></div>`;
  const box = $("#setting");
  const showError = (e) => { const el = $("#setting-error"); el.textContent = String(e); el.hidden = false; };
  const saved = (msg) => { $("#setting-error").hidden = true; toast(msg); };
  // Reads a sub-resource; a "not configured" 404 is an empty document.
  const current = async (q) => {
    try { return await (await s3("GET", b, { query: { [q]: "" } })).text(); } catch (e) { if (e.status === 404) return ""; throw e; }
  };
  if (tab === "acl") {
    const doc = xmlOf(await current("acl"));
    const grants = all(doc, "Grant").map((g) => (text(g, "URI") || text(g, "DisplayName") || text(g, "ID")) + ": " + text(g, "Permission"));
    box.innerHTML = html`<p>${grants.map(esc).join("<br>")}</p><div class="row"><select id="acl-canned"><option>private</option><option>public-read</option><option>public-read-write</option><option>authenticated-read</option></select>
      <button class="primary" id="acl-save">${t("save")}</button></div><div id="setting-error" class="error" hidden></div>`;
    $("#acl-save").onclick = () => s3("PUT", b, { query: { acl: "" }, headers: { "x-amz-acl": $("#acl-canned").value } }).then(() => settingsView(bucket, tab)).catch(showError);
  } else if (tab === "policy") {
    let doc = await current("policy");
    try { doc = doc ? JSON.stringify(JSON.parse(doc), null, 2) : ""; } catch (_) { /* shown as stored */ }
    box.innerHTML = html`<textarea id="policy-text" spellcheck="false">${esc(doc)}</textarea>
      <div id="setting-error" class="error" hidden></div>
      <div class="row"><button class="primary" id="policy-save">${t("save")}</button><button class="danger" id="policy-delete">${t("delete")}</button></div>`;
    $("#policy-save").onclick = async () => {
      const textValue = $("#policy-text").value;
      try { JSON.parse(textValue); } catch (e) { showError(t("jsonError", e.message)); return; }
      try { await s3("PUT", b, { query: { policy: "" }, headers: { "Content-Type": "application/json" }, body: textValue }); saved(t("saved")); } catch (e) { showError(e); }
    };
    $("#policy-delete").onclick = () => s3("DELETE", b, { query: { policy: "" } }).then(() => settingsView(bucket, tab)).catch(showError);
  } else if (tab === "accelerate") {
    const doc = xmlOf(await current("accelerate") || "<x/>");
    const ips = all(doc, "IP").map((n) => n.textContent);
    box.innerHTML = html`<div class="row"><label>${t("status")} <select id="acc-status"><option value="Enabled">${t("enabled")}</option><option value="Suspended">${t("suspended")}</option></select></label></div>
      <label>${t("whiteList")}</label><textarea id="acc-ips" style="min-height:100px">${esc(ips.join("\n"))}</textarea>
      <div id="setting-error" class="error" hidden></div><button class="primary" id="acc-save">${t("save")}</button>`;
    $("#acc-status").value = text(doc, "Status") || "Suspended";
    $("#acc-save").onclick = async () => {
      const list = $("#acc-ips").value.split(/\s+/).filter(Boolean);
      const body = `<AccelerateConfiguration><Status>${$("#acc-status").value}</Status><IPWhiteLists>${list.map((ip) => `<IP>${esc(ip)}</IP>`).join("")}</IPWhiteLists></AccelerateConfiguration>`;
      try { await s3("PUT", b, { query: { accelerate: "" }, headers: { "Content-Type": "application/xml" }, body }); saved(t("saved")); } catch (e) { showError(e); }
    };
  } else if (tab === "versioning") {
    // Versioning, and Object Lock with its default retention (Object Lock needs versioning).
    const status = text(xmlOf(await current("versioning")), "Status");
    const lockText = await current("object-lock");
    const lock = lockText ? xmlOf(lockText) : null;
    box.innerHTML = html`<div class="row"><label>${t("versioning")} <select id="ver-status">
        ${status ? "" : `<option value="">${t("neverVersioned")}</option>`}<option value="Enabled">${t("enabled")}</option><option value="Suspended">${t("suspended")}</option></select></label>
      <button class="primary" id="ver-save">${t("save")}</button></div>
      <h2>${t("objectLock")}</h2>
      ${lock ? html`<div class="row"><label>${t("lockDefault")} <select id="lock-mode"><option value="">${t("none")}</option><option>GOVERNANCE</option><option>COMPLIANCE</option></select></label>
        <label>${t("lockDays")} <input type="number" id="lock-days" min="1" value="${esc(text(lock, "Days") || "1")}"></label>
        <button class="primary" id="lock-save">${t("save")}</button></div>`
        : html`<p class="muted" id="lock-off">${t("lockOff")}</p><button id="lock-enable">${t("enableLock")}</button>`}
      <div id="setting-error" class="error" hidden></div>`;
    $("#ver-status").value = status;
    $("#ver-save").onclick = async () => {
      const body = `<VersioningConfiguration><Status>${$("#ver-status").value}</Status></VersioningConfiguration>`;
      try { await s3("PUT", b, { query: { versioning: "" }, headers: { "Content-Type": "application/xml" }, body }); saved(t("saved")); } catch (e) { showError(e); }
    };
    const putLock = async (mode, days) => {
      const rule = mode ? `<Rule><DefaultRetention><Mode>${mode}</Mode><Days>${Number(days)}</Days></DefaultRetention></Rule>` : "";
      const body = `<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled>${rule}</ObjectLockConfiguration>`;
      await s3("PUT", b, { query: { "object-lock": "" }, headers: { "Content-Type": "application/xml", "Content-MD5": contentMd5(body) }, body });
    };
    if (lock) {
      $("#lock-mode").value = text(lock, "Mode");
      $("#lock-save").onclick = () => putLock($("#lock-mode").value, $("#lock-days").value).then(() => saved(t("saved"))).catch(showError);
    } else {
      $("#lock-enable").onclick = () => putLock("", 0).then(() => settingsView(bucket, tab)).catch(showError);
    }
  } else if (tab === "location") {
    const doc = xmlOf(await current("location"));
    const list = all(doc, "Location").slice(1).map((n) => n.textContent);
    box.innerHTML = html`<dl class="details"><dt>${t("metaRegion")}</dt><dd id="loc-meta">${esc(text(doc, "Location"))}</dd>
      <dt>${t("dataLocation")}</dt><dd id="loc-type">${esc(text(doc, "Type"))} ${esc(list.join(", "))}</dd>
      <dt>${t("schedule")}</dt><dd>${esc(text(doc, "ScheduleStrategy"))}</dd></dl>`;
  } else {
    // website, cors, lifecycle, logging: the S3 XML document, edited as text.
    const doc = await current(tab);
    box.innerHTML = html`<textarea id="xml-text" spellcheck="false">${esc(doc)}</textarea><p class="muted">${doc ? "" : t("notSet")}</p>
      <div id="setting-error" class="error" hidden></div>
      <div class="row"><button class="primary" id="xml-save">${t("save")}</button>${tab === "logging" ? "" : `<button class="danger" id="xml-delete">${t("delete")}</button>`}</div>`;
    $("#xml-save").onclick = async () => {
      const body = $("#xml-text").value;
      try { await s3("PUT", b, { query: { [tab]: "" }, headers: { "Content-Type": "application/xml", "Content-MD5": contentMd5(body) }, body }); saved(t("saved")); } catch (e) { showError(e); }
    };
    if ($("#xml-delete")) $("#xml-delete").onclick = () => s3("DELETE", b, { query: { [tab]: "" } }).then(() => settingsView(bucket, tab)).catch(showError);
  }
}

// ---------- access keys ----------
async function keysView(created) {
  if (!me.primary) {
    main().innerHTML = html`<h1>${t("keys.title")}</h1><p class="muted">${t("nonPrimaryNote")}</p>`;
    return;
  }
  const doc = await iam({ Action: "ListAccessKeys", MaxItems: "1000" });
  const keys = all(doc, "member").map((m) => ({ id: text(m, "AccessKeyId"), status: text(m, "Status"), primary: text(m, "IsPrimary") === "true" }));
  main().innerHTML = html`<h1>${t("keys.title")}</h1>
  ${created ? html`<div class="warning" id="new-key"><p><strong>${t("secretOnce")}</strong></p>
    <p>${t("login.key")}: <span class="secret" id="new-key-id">${esc(created.id)}</span></p>
    <p>${t("login.secret")}: <span class="secret" id="new-key-secret">${esc(created.secret)}</span> <button id="copy-secret">${t("copy")}</button></p></div>` : ""}
  <table id="keys"><thead><tr><th>${t("login.key")}</th><th>${t("status")}</th><th>${t("primary")}</th><th>${t("actions")}</th></tr></thead><tbody>
  ${keys.map((k) => html`<tr data-key-id="${esc(k.id)}"><td class="secret">${esc(k.id)}</td><td>${k.status === "Active" ? t("active") : t("inactive")}</td><td>${k.primary ? "✓" : ""}</td>
    <td><button data-act="status">${k.status === "Active" ? t("disable") : t("enable")}</button>
    <button data-act="primary">${k.primary ? t("makeSecondary") : t("makePrimary")}</button>
    <button class="danger" data-act="delete">${t("delete")}</button></td></tr>`).join("")}</tbody></table>
  <div id="keys-error" class="error" hidden></div>
  <p><button class="primary" id="create-key">${t("keys.create")}</button></p>`;
  const fail = (e) => { $("#keys-error").textContent = String(e); $("#keys-error").hidden = false; };
  if (created) $("#copy-secret").onclick = () => navigator.clipboard.writeText(created.secret).then(() => toast(t("copied")), () => {});
  $("#create-key").onclick = async () => {
    try {
      const r = await iam({ Action: "CreateAccessKey" });
      await keysView({ id: text(r, "AccessKeyId"), secret: text(r, "SecretAccessKey") });
    } catch (e) { fail(e); }
  };
  document.querySelectorAll("#keys button").forEach((btn) => (btn.onclick = async () => {
    const id = btn.closest("tr").dataset.keyId;
    const k = keys.find((x) => x.id === id);
    try {
      if (btn.dataset.act === "status") await iam({ Action: "UpdateAccessKey", AccessKeyId: id, Status: k.status === "Active" ? "Inactive" : "Active" });
      else if (btn.dataset.act === "primary") await iam({ Action: "UpdateAccessKey", AccessKeyId: id, IsPrimary: k.primary ? "false" : "true" });
      else if (confirm(t("confirmDeleteKey", id))) await iam({ Action: "DeleteAccessKey", AccessKeyId: id });
      else return;
      await keysView();
    } catch (e) { fail(e); }
  }));
}

// ---------- administration (root) ----------
async function adminView(created) {
  const [accounts, pools, info] = await Promise.all([api("GET", "/_portal/admin/accounts"), api("GET", "/_portal/admin/pool"), api("GET", "/_portal/admin/server")]);
  main().innerHTML = html`<h1>${t("nav.admin")}</h1>
  <div class="card"><h2>${t("admin.server")}</h2><dl class="details" id="server-info"><dt>${t("version")}</dt><dd>${esc(info.version)}</dd>
    <dt>${t("uptime")}</dt><dd>${Math.floor(info.uptime_seconds / 3600)} h ${Math.floor((info.uptime_seconds % 3600) / 60)} min</dd>
    <dt>${t("regions")}</dt><dd>${info.regions.map((r) => esc(r.name) + (r.local ? " (local)" : "") + " — " + [r.metadata ? "metadata" : "", r.pool ? "data: " + esc(r.pool) : ""].filter(Boolean).join(", ")).join("<br>")}</dd></dl></div>
  <div class="card"><h2>${t("admin.pools")}</h2><p>${t("healQueue")}: <span id="heal-queue">${pools.heal_queue}</span></p>
  ${pools.pools.map((p) => html`<h3>${esc(p.pool)} ${p.region ? "(" + esc(p.region) + ")" : ""}</h3><table class="pool"><thead><tr><th>${t("disks")}</th><th>${t("state")}</th><th class="num">${t("free")}</th><th class="num">${t("size")}</th></tr></thead><tbody>
    ${p.disks.map((d) => `<tr><td>${esc(d.path)}</td><td>${esc(d.state)}</td><td class="num">${d.free_bytes == null ? "" : human(d.free_bytes)}</td><td class="num">${d.total_bytes == null ? "" : human(d.total_bytes)}</td></tr>`).join("")}</tbody></table>`).join("")}</div>
  <div class="card"><h2>${t("admin.accounts")}</h2>
  ${created ? html`<div class="warning" id="new-account"><p><strong>${t("secretOnce")}</strong></p><p>${esc(created.account)}: <span class="secret">${esc(created.access_key)}</span> / <span class="secret" id="new-account-secret">${esc(created.secret_key)}</span></p></div>` : ""}
  <table id="accounts"><thead><tr><th>${t("account")}</th><th>${t("regions")}</th><th>${t("created")}</th><th>${t("actions")}</th></tr></thead><tbody>
  ${accounts.map((a) => html`<tr data-account="${esc(a.account)}"><td>${esc(a.account)} ${a.disabled ? `<span class="muted">(${t("disabled")})</span>` : ""}<br><span class="muted">${esc(a.canonical_id.slice(0, 16))}…</span></td>
    <td><input type="text" data-regions value="${esc((a.regions || []).join(","))}" placeholder="*"> <button data-act="regions">${t("save")}</button></td><td>${when(a.created)}</td>
    <td>${a.account === "root" ? "" : `<button data-act="${a.disabled ? "enable" : "disable"}">${a.disabled ? t("enable") : t("disable")}</button>`}</td></tr>`).join("")}</tbody></table>
  <form class="row" id="create-account"><input type="text" id="account-name" placeholder="${t("name")}" required>
    <input type="text" id="account-regions" placeholder="${t("regionsOpt")}" size="36"><button class="primary">${t("admin.create")}</button></form>
  <div id="admin-error" class="error" hidden></div></div>`;
  const fail = (e) => { $("#admin-error").textContent = String(e); $("#admin-error").hidden = false; };
  const regionsOf = (s) => { const list = s.split(",").map((x) => x.trim()).filter(Boolean); return list.length ? list : null; };
  $("#create-account").onsubmit = async (ev) => {
    ev.preventDefault();
    try {
      const r = await api("POST", "/_portal/admin/accounts", { name: $("#account-name").value.trim(), regions: regionsOf($("#account-regions").value) });
      await adminView(r);
    } catch (e) { fail(e); }
  };
  document.querySelectorAll("#accounts button").forEach((btn) => (btn.onclick = async () => {
    const row = btn.closest("tr");
    const name = encodeURIComponent(row.dataset.account);
    try {
      if (btn.dataset.act === "regions") await api("PUT", `/_portal/admin/accounts/${name}/regions`, { regions: regionsOf(row.querySelector("[data-regions]").value) });
      else await api("POST", `/_portal/admin/accounts/${name}/${btn.dataset.act}`);
      await adminView();
    } catch (e) { fail(e); }
  }));
}

// ---------- start ----------
document.addEventListener("DOMContentLoaded", () => {
  $("#lang-switch").onclick = () => {
    lang = lang === "en" ? "zh-CN" : "en";
    document.cookie = "oos_lang=" + lang + "; Path=/_portal/; Max-Age=31536000; SameSite=Strict";
    render();
  };
  $("#logout").onclick = async () => {
    try { await api("POST", "/_portal/api/logout"); } catch (_) { /* signed out anyway */ }
    me = null;
    location.hash = "#/login";
    render();
  };
  window.addEventListener("hashchange", render);
  render();
});
