"""The web portal in a real browser (headless Chromium over the DevTools protocol), and its
security rules over plain HTTP. Screenshots of each main page go to
target/test-output/portal/ (or $OOS_TEST_OUTPUT/portal/)."""

import hashlib
import json
import os
import pathlib
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from accounts_helpers import create_account, s3_for
from conftest import ACCESS_KEY, ROOT, SECRET_KEY, Oosd

SHOTS = pathlib.Path(os.environ.get("OOS_TEST_OUTPUT", ROOT / "target" / "test-output")) / "portal"
MIB = 1024 * 1024


@pytest.fixture(scope="module")
def portal_server(tmp_path_factory):
    server = Oosd(tmp_path_factory.mktemp("portal")).start()
    yield server
    server.stop()


def http(server, method, path, body=None, headers=None, cookie=None):
    """One request to the portal; returns (status, headers, body bytes)."""
    h = dict(headers or {})
    if cookie:
        h["Cookie"] = cookie
    req = urllib.request.Request(server.endpoint + path, data=body, method=method, headers=h)
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def sign_in(server, access_key=ACCESS_KEY, secret_key=SECRET_KEY):
    status, headers, body = http(server, "POST", "/_portal/api/login",
                                 json.dumps({"access_key": access_key, "secret_key": secret_key}).encode(),
                                 {"Content-Type": "application/json"})
    assert status == 200, body
    cookie = headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Max-Age=" in cookie
    return cookie.split(";")[0], json.loads(body)["csrf"]


def test_portal_in_a_browser(portal_server, tmp_path):
    from cdp import Browser

    s3 = portal_server.client()
    base = portal_server.endpoint + "/_portal/"
    b = Browser(accept_language="zh-CN")
    try:
        # Chinese from Accept-Language, English by the switch.
        b.goto(base)
        b.wait("location.hash === '#/login' && document.querySelector('#login-form')", what="the sign-in page")
        assert b.eval("document.documentElement.lang") == "zh-CN"
        assert b.text("#login-form h1") == "登录 OOS"
        b.screenshot(SHOTS / "login-zh.png")
        b.click("#lang-switch")
        b.wait("document.querySelector('#login-form h1').textContent === 'Sign in to OOS'", what="English")

        # A wrong secret is refused in place; the right one signs in.
        b.fill("#login-key", ACCESS_KEY)
        b.fill("#login-secret", "wrong-secret")
        b.click("#login-submit")
        b.wait("!document.querySelector('#login-error').hidden", what="the sign-in error")
        b.fill("#login-secret", SECRET_KEY)
        b.click("#login-submit")
        b.wait("document.querySelector('#create-bucket')", what="the bucket list")
        b.screenshot(SHOTS / "login.png")
        assert b.eval("document.cookie.includes('oos_portal')") is False, "the session cookie is HttpOnly"

        # Create a bucket with the form.
        b.fill("#new-bucket", "portal-bucket")
        b.eval("document.querySelector('#create-bucket').requestSubmit()")
        b.wait("document.querySelector('tr[data-bucket=\"portal-bucket\"]')", what="the new bucket")
        assert s3.get_bucket_location(Bucket="portal-bucket")["DataLocationConstraint"]["Type"] == "Local"
        b.screenshot(SHOTS / "buckets.png")

        # Drag a folder onto the drop zone: its files upload under the folder's name.
        album = tmp_path / "album"
        album.mkdir()
        (album / "a.txt").write_bytes(b"first file from the browser")
        (album / "b.txt").write_bytes(b"second")
        b.goto(base + "#/b/portal-bucket/")
        b.wait("document.querySelector('#dropzone')", what="the object browser")
        b.drop_files("#dropzone", [album])
        b.wait("document.querySelectorAll('#uploads .state.ok').length === 2", what="two uploads done")
        keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket="portal-bucket")["Contents"])
        assert keys == ["album/a.txt", "album/b.txt"]

        # A large file from the picker goes multipart, with progress, in parallel parts.
        big = tmp_path / "big.bin"
        big.write_bytes(os.urandom(20 * MIB + 123))
        b.set_files("#pick-files", [big])
        b.wait("document.querySelector('#uploads tr[data-upload=\"big.bin\"] .state.ok')", timeout=120,
               what="the multipart upload")
        head = s3.head_object(Bucket="portal-bucket", Key="big.bin")
        assert head["ContentLength"] == 20 * MIB + 123
        assert head["ETag"].strip('"').endswith("-3"), head["ETag"]
        got = s3.get_object(Bucket="portal-bucket", Key="big.bin")["Body"].read()
        assert hashlib.md5(got).digest() == hashlib.md5(big.read_bytes()).digest()
        b.wait("document.querySelector('a[data-folder=\"album/\"]')", what="the folder row")
        b.screenshot(SHOTS / "objects.png")

        # Into the folder, then the object's details and a shared link with a speed limit.
        b.click("a[data-folder=\"album/\"]")
        b.wait("document.querySelector('tr[data-key=\"album/a.txt\"]')", what="the folder's objects")
        b.click("tr[data-key=\"album/a.txt\"] a")
        b.wait("document.querySelector('#object-details')", what="the object details")
        assert "27 B" in b.text("#d-size")
        b.click("#share-open")
        b.fill("#share-rate", "512")
        b.click("#share-create")
        url = b.wait("document.querySelector('#share-url').value", what="the shared link")
        assert "x-amz-limit=rate%3D512" in url and "X-Amz-Signature=" in url
        b.screenshot(SHOTS / "share.png")
        out = subprocess.run(["curl", "-sS", "--fail", url], capture_output=True, timeout=60)
        assert out.returncode == 0, out.stderr
        assert out.stdout == b"first file from the browser"
        # The download link serves the bytes as an attachment.
        got = b.eval("fetch(document.querySelector('#download').href).then(async r => "
                     "[r.headers.get('content-disposition'), await r.text()])")
        assert got == ['attachment; filename="a.txt"', "first file from the browser"]

        # Delete several objects at once (after a confirmation).
        b.goto(base + "#/b/portal-bucket/?prefix=album%2F")
        b.wait("document.querySelectorAll('#objects input[type=checkbox]').length === 2", what="two objects")
        b.eval("document.querySelectorAll('#objects input[type=checkbox]').forEach(c => c.checked = true);"
               "document.querySelector('#objects').dispatchEvent(new Event('change'));"
               "window.confirm = (m) => { window.lastConfirm = m; return true; }")
        b.click("#delete-selected")
        b.wait("document.querySelector('#objects') && !document.querySelector('tr[data-key]')", what="the objects gone")
        assert "2" in b.eval("window.lastConfirm || ''")
        assert "Contents" not in s3.list_objects_v2(Bucket="portal-bucket", Prefix="album/")

        # A policy with a mistake: the server's message is shown in place, nothing is stored.
        b.goto(base + "#/b/portal-bucket/settings/policy")
        b.wait("document.querySelector('#policy-text')", what="the policy editor")
        b.fill("#policy-text", '{"Version": "2012-10-17", "Statement": [{"Effect": "Perhaps", "Principal": "*", '
                               '"Action": "s3:GetObject", "Resource": "arn:aws:s3:::portal-bucket/*"}]}')
        b.click("#policy-save")
        message = b.wait("!document.querySelector('#setting-error').hidden && document.querySelector('#setting-error').textContent",
                         what="the policy error")
        assert "MalformedPolicy" in message, message
        b.fill("#policy-text", "{not json")
        b.click("#policy-save")
        b.wait("document.querySelector('#setting-error').textContent.includes('Not valid JSON')", what="the JSON error")
        b.screenshot(SHOTS / "settings-policy.png")
        with pytest.raises(Exception):
            s3.get_bucket_policy(Bucket="portal-bucket")

        # Access keys: create one (its secret shown once, and it works), then delete it.
        b.goto(base + "#/keys")
        b.wait("document.querySelector('#create-key')", what="the keys page")
        b.click("#create-key")
        new_id = b.wait("document.querySelector('#new-key-id') && document.querySelector('#new-key-id').textContent",
                        what="the new key")
        new_secret = b.text("#new-key-secret")
        assert len(new_secret) >= 40
        b.screenshot(SHOTS / "keys.png")
        # A new key is non-primary: it may use object keys that start with its id.
        s3_for(portal_server, new_id, new_secret).put_object(Bucket="portal-bucket", Key=f"{new_id}/hello", Body=b"k")
        assert s3.get_object(Bucket="portal-bucket", Key=f"{new_id}/hello")["Body"].read() == b"k"
        b.eval("window.confirm = () => true")
        b.click(f"tr[data-key-id=\"{new_id}\"] button[data-act=\"delete\"]")
        b.wait(f"!document.querySelector('tr[data-key-id=\"{new_id}\"]') && document.querySelector('#keys')",
               what="the key gone")

        # Administration (the root account): server, pools, accounts.
        b.goto(base + "#/admin")
        b.wait("document.querySelector('#accounts tr[data-account=\"root\"]')", what="the admin page")
        assert "ChengDu" in b.text("#server-info")
        b.screenshot(SHOTS / "admin.png")
        b.fill("#account-name", "from-portal")
        b.fill("#account-regions", "ChengDu")
        b.eval("document.querySelector('#create-account').requestSubmit()")
        secret = b.wait("document.querySelector('#new-account-secret') && document.querySelector('#new-account-secret').textContent",
                        what="the new account's secret")
        assert len(secret) == 40
        b.eval("document.querySelector('tr[data-account=\"from-portal\"] button[data-act=\"disable\"]').click()")
        b.wait("document.querySelector('tr[data-account=\"from-portal\"] button[data-act=\"enable\"]')",
               what="the account disabled")
        shown = subprocess.run([os.environ.get("OOSD_BIN", str(ROOT / "target" / "debug" / "oosd")), "account", "show",
                                "from-portal", "--json", "--data-dir", str(portal_server.data_dir)],
                               capture_output=True, text=True, timeout=60)
        info = json.loads(shown.stdout)
        assert info["disabled"] is True and info["regions"] == ["ChengDu"]

        # Sign out: the page and the APIs are closed to this browser.
        b.click("#logout")
        b.wait("document.querySelector('#login-form')", what="the sign-in page after sign-out")
        status = b.eval("fetch('/_portal/api/buckets').then(r => r.status)")
        assert status == 403
    finally:
        b.close()


def signed_in(base):
    """A browser signed in to the portal as the root account, on the bucket list."""
    from cdp import Browser

    b = Browser()
    b.goto(base)
    b.wait("document.querySelector('#login-form')", what="the sign-in page")
    b.fill("#login-key", ACCESS_KEY)
    b.fill("#login-secret", SECRET_KEY)
    b.click("#login-submit")
    b.wait("document.querySelector('#create-bucket')", what="the bucket list")
    return b


def test_encrypted_uploads_in_the_browser(portal_server, tmp_path):
    """The upload card asks for SSE-S3 or SSE-KMS (single PUTs and multipart alike); the
    object details show how an object is encrypted."""
    s3 = portal_server.client()
    base = portal_server.endpoint + "/_portal/"
    s3.create_bucket(Bucket="portal-sse")
    b = signed_in(base)
    try:
        b.goto(base + "#/b/portal-sse/")
        b.wait("document.querySelector('#upload-sse')", what="the upload card")
        small = tmp_path / "secret.txt"
        small.write_bytes(b"encrypted from the browser")
        big = tmp_path / "secret.bin"
        big.write_bytes(os.urandom(20 * MIB + 5))
        b.fill("#upload-sse", "AES256")
        b.set_files("#pick-files", [small])
        b.wait("document.querySelector('#uploads tr[data-upload=\"secret.txt\"] .state.ok')", what="the upload")
        b.fill("#upload-sse", "aws:kms")
        b.set_files("#pick-files", [big])
        b.wait("document.querySelector('#uploads tr[data-upload=\"secret.bin\"] .state.ok')", timeout=120,
               what="the multipart upload")
        assert s3.head_object(Bucket="portal-sse", Key="secret.txt")["ServerSideEncryption"] == "AES256"
        head = s3.head_object(Bucket="portal-sse", Key="secret.bin")
        assert head["ServerSideEncryption"] == "aws:kms" and head["SSEKMSKeyId"]
        assert s3.get_object(Bucket="portal-sse", Key="secret.bin")["Body"].read() == big.read_bytes()
        b.goto(base + "#/b/portal-sse/o/secret.txt")
        b.wait("document.querySelector('#d-sse')", what="the object details")
        assert b.text("#d-sse") == "AES256"
    finally:
        b.close()


def test_versions_and_object_lock_in_the_browser(portal_server):
    """Bucket settings turn versioning and Object Lock on; the object browser lists versions,
    restores an old one and deletes one after a confirmation; a locked version's delete is
    refused in place; object details show retention and legal hold."""
    s3 = portal_server.client()
    base = portal_server.endpoint + "/_portal/"
    s3.create_bucket(Bucket="pv-ver")
    b = signed_in(base)
    try:

        # Versioning on from the settings; Object Lock then turned on with a default.
        b.goto(base + "#/b/pv-ver/settings/versioning")
        b.wait("document.querySelector('#ver-status') && document.querySelector('#lock-enable')", what="the versioning tab")
        b.eval("document.querySelector('#ver-status').value = 'Enabled'")
        b.click("#ver-save")
        b.wait("!document.querySelector('#toast').hidden", what="saved")
        assert s3.get_bucket_versioning(Bucket="pv-ver")["Status"] == "Enabled"
        v1 = s3.put_object(Bucket="pv-ver", Key="doc.txt", Body=b"one")["VersionId"]
        v2 = s3.put_object(Bucket="pv-ver", Key="doc.txt", Body=b"two")["VersionId"]

        # The versions view: both versions, newest first; restore the old one.
        b.goto(base + "#/b/pv-ver/")
        b.wait("document.querySelector('#show-versions')", what="the object browser")
        b.click("#show-versions")
        b.wait("document.querySelectorAll('#versions tr[data-version]').length === 2", what="two versions")
        order = b.eval("Array.from(document.querySelectorAll('#versions tr[data-version]')).map(r => r.dataset.version)")
        assert order == [v2, v1]
        b.screenshot(SHOTS / "versions.png")
        b.click(f"tr[data-version=\"{v1}\"] button[data-act=\"restore\"]")
        b.wait("document.querySelectorAll('#versions tr[data-version]').length === 3", what="the restored version")
        assert s3.get_object(Bucket="pv-ver", Key="doc.txt")["Body"].read() == b"one"
        # Delete one version for good, after a confirmation naming it.
        b.eval("window.confirm = (m) => { window.lastConfirm = m; return true; }")
        b.click(f"tr[data-version=\"{v2}\"] button[data-act=\"delete-version\"]")
        b.wait(f"document.querySelectorAll('#versions tr[data-version]').length === 2 && !document.querySelector('tr[data-version=\"{v2}\"]')",
               what="the version gone")
        assert v2 in b.eval("window.lastConfirm")
        assert v2 not in [v["VersionId"] for v in s3.list_object_versions(Bucket="pv-ver")["Versions"]]

        # Object Lock: enable it, then a default retention.
        b.goto(base + "#/b/pv-ver/settings/versioning")
        b.wait("document.querySelector('#lock-enable')", what="the lock switch")
        b.click("#lock-enable")
        b.wait("document.querySelector('#lock-mode')", what="the lock settings")
        b.eval("document.querySelector('#lock-mode').value = 'GOVERNANCE'")
        b.fill("#lock-days", "2")
        b.click("#lock-save")
        b.wait("!document.querySelector('#toast').hidden", what="saved")
        # The toast of enabling the lock may still show: wait for the rule itself to land.
        deadline = time.monotonic() + 10
        while True:
            conf = s3.get_object_lock_configuration(Bucket="pv-ver")["ObjectLockConfiguration"]
            if "Rule" in conf or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert conf["Rule"]["DefaultRetention"] == {"Mode": "GOVERNANCE", "Days": 2}
        b.screenshot(SHOTS / "settings-versioning.png")
        locked = s3.put_object(Bucket="pv-ver", Key="locked.txt", Body=b"keep")["VersionId"]
        s3.put_object_legal_hold(Bucket="pv-ver", Key="locked.txt", LegalHold={"Status": "ON"})

        # Details show the lock; deleting the locked version is refused, with the reason.
        b.goto(base + "#/b/pv-ver/o/locked.txt")
        b.wait("document.querySelector('#d-retention')", what="the object details")
        assert b.text("#d-retention").startswith("GOVERNANCE")
        assert b.text("#d-legal-hold") == "ON"
        assert b.text("#d-version") == locked
        b.goto(base + "#/b/pv-ver/?prefix=&versions=1")
        b.wait(f"document.querySelector('tr[data-version=\"{locked}\"]')", what="the locked version")
        b.eval("window.confirm = () => true")
        b.click(f"tr[data-version=\"{locked}\"] button[data-act=\"delete-version\"]")
        message = b.wait("!document.querySelector('#versions-error').hidden && document.querySelector('#versions-error').textContent",
                         what="the refusal")
        assert "AccessDenied" in message, message
        assert s3.head_object(Bucket="pv-ver", Key="locked.txt", VersionId=locked)["ObjectLockLegalHoldStatus"] == "ON"
    finally:
        b.close()


def test_no_state_change_without_the_csrf_token(portal_server):
    cookie, csrf = sign_in(portal_server)
    status, _, body = http(portal_server, "PUT", "/_portal/s3/no-csrf-bucket", cookie=cookie)
    assert status == 403 and b"CSRF" in body
    status, _, _ = http(portal_server, "PUT", "/_portal/s3/no-csrf-bucket", cookie=cookie,
                        headers={"X-OOS-CSRF": "0" * 64})
    assert status == 403
    status, _, _ = http(portal_server, "POST", "/_portal/iam", b"Action=CreateAccessKey", cookie=cookie)
    assert status == 403
    with pytest.raises(Exception):
        portal_server.client().head_bucket(Bucket="no-csrf-bucket")
    status, _, _ = http(portal_server, "PUT", "/_portal/s3/csrf-bucket", cookie=cookie, headers={"X-OOS-CSRF": csrf})
    assert status == 200
    portal_server.client().delete_bucket(Bucket="csrf-bucket")
    # Sign-in takes JSON only (a cross-site form cannot send it).
    status, _, _ = http(portal_server, "POST", "/_portal/api/login",
                        json.dumps({"access_key": ACCESS_KEY, "secret_key": SECRET_KEY}).encode(),
                        {"Content-Type": "text/plain"})
    assert status == 400


def test_no_access_after_sign_out(portal_server):
    cookie, csrf = sign_in(portal_server)
    assert http(portal_server, "GET", "/_portal/api/buckets", cookie=cookie)[0] == 200
    status, headers, _ = http(portal_server, "POST", "/_portal/api/logout", cookie=cookie, headers={"X-OOS-CSRF": csrf})
    assert status == 204 and "Max-Age=0" in headers["Set-Cookie"]
    for path in ("/_portal/api/buckets", "/_portal/api/session", "/_portal/s3/", "/_portal/admin/accounts"):
        assert http(portal_server, "GET", path, cookie=cookie)[0] == 403, path
    assert http(portal_server, "GET", "/_portal/api/buckets")[0] == 403, "no cookie, no access"


def test_accounts_see_only_what_their_keys_may(portal_server):
    s3 = portal_server.client()
    s3.create_bucket(Bucket="root-private")
    s3.put_object(Bucket="root-private", Key="secret.txt", Body=b"root only")
    other = create_account(portal_server, "portal-other")
    cookie, csrf = sign_in(portal_server, other["access_key"], other["secret_key"])
    status, _, body = http(portal_server, "GET", "/_portal/api/buckets", cookie=cookie)
    assert status == 200 and json.loads(body) == []
    status, _, body = http(portal_server, "GET", "/_portal/s3/root-private?list-type=2", cookie=cookie)
    assert status == 403 and b"AccessDenied" in body
    assert http(portal_server, "GET", "/_portal/s3/root-private/secret.txt", cookie=cookie)[0] == 403
    assert http(portal_server, "GET", "/_portal/admin/accounts", cookie=cookie)[0] == 403, "admin is for root"
    # Its own bucket works, and the root account does not see it in its list.
    assert http(portal_server, "PUT", "/_portal/s3/other-bucket", cookie=cookie, headers={"X-OOS-CSRF": csrf})[0] == 200
    root_cookie, _ = sign_in(portal_server)
    names = [b["name"] for b in json.loads(http(portal_server, "GET", "/_portal/api/buckets", cookie=root_cookie)[2])]
    assert "other-bucket" not in names and "root-private" in names
    # A disabled account's session ends at once.
    subprocess.run([os.environ.get("OOSD_BIN", str(ROOT / "target" / "debug" / "oosd")), "account", "disable",
                    "portal-other", "--data-dir", str(portal_server.data_dir)], check=True, capture_output=True)
    assert http(portal_server, "GET", "/_portal/api/buckets", cookie=cookie)[0] == 403


def test_sign_in_is_throttled(fresh_dir):
    # Its own server: failures are counted per client address too, and other tests fail some.
    portal_server = Oosd(fresh_dir).start()
    try:
        _throttled(portal_server)
    finally:
        portal_server.stop()


def _throttled(portal_server):
    other = create_account(portal_server, "portal-throttled")
    for _ in range(5):
        status, _, _ = http(portal_server, "POST", "/_portal/api/login",
                            json.dumps({"access_key": other["access_key"], "secret_key": "guess"}).encode(),
                            {"Content-Type": "application/json"})
        assert status == 401
    status, headers, body = http(portal_server, "POST", "/_portal/api/login",
                                 json.dumps({"access_key": other["access_key"], "secret_key": other["secret_key"]}).encode(),
                                 {"Content-Type": "application/json"})
    assert status == 429 and int(headers["Retry-After"]) > 0, body


def test_pages_are_hardened_and_assets_embedded(portal_server):
    status, headers, body = http(portal_server, "GET", "/_portal/", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert status == 200 and b'lang="en"' in body
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    for asset in ("/_portal/static/app.js", "/_portal/static/app.css"):
        status, headers, body = http(portal_server, "GET", asset)
        assert status == 200 and len(body) > 1000, asset
    status, headers, _ = http(portal_server, "GET", "/_portal")
    assert status == 200  # urllib followed the redirect to /_portal/


def test_portal_on_its_own_listener(fresh_dir):
    import socket
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    cfg = fresh_dir / "portal.toml"
    cfg.write_text(f'portal_listen = "127.0.0.1:{port}"\n')
    server = Oosd(fresh_dir / "data", config=cfg).start()
    try:
        import time
        deadline = time.time() + 10
        while not any(f"portal listening on http://127.0.0.1:{port}/_portal/" in ln for ln in server.stdout_lines):
            assert time.time() < deadline, server.stdout_lines
            time.sleep(0.05)
        portal = type("P", (), {"endpoint": f"http://127.0.0.1:{port}"})()
        status, _, body = http(portal, "GET", "/")
        assert status == 200 and b"/_portal/static/app.js" in body  # redirected to the portal
        cookie, csrf = sign_in(portal)
        assert http(portal, "PUT", "/_portal/s3/via-portal-port", cookie=cookie, headers={"X-OOS-CSRF": csrf})[0] == 200
        server.client().head_bucket(Bucket="via-portal-port")
        server.client().put_object(Bucket="via-portal-port", Key="f.txt", Body=b"shared from the portal port")
        # A share link made there points at the S3 listener, and works.
        status, _, body = http(portal, "POST", "/_portal/api/share",
                               json.dumps({"bucket": "via-portal-port", "key": "f.txt"}).encode(),
                               {"Content-Type": "application/json", "X-OOS-CSRF": csrf}, cookie=cookie)
        assert status == 200, body
        url = json.loads(body)["url"]
        assert url.startswith(server.endpoint + "/via-portal-port/f.txt?"), url
        assert urllib.request.urlopen(url).read() == b"shared from the portal port"
        # Only the portal is served there: S3 paths lead to the portal, never to a bucket.
        status, _, body = http(portal, "GET", "/via-portal-port")
        assert b"ListBucketResult" not in body
    finally:
        server.stop()


def test_one_gib_upload_in_the_browser(portal_server, tmp_path):
    """The issue's bar: a 1 GiB file uploads from the browser (multipart, 128 parts of 8 MiB,
    three at a time) and reads back exactly."""
    from cdp import Browser

    s3 = portal_server.client()
    s3.create_bucket(Bucket="big-uploads")
    big = tmp_path / "one-gib.bin"
    digest = hashlib.md5()
    with open(big, "wb") as f:
        block = os.urandom(MIB)
        for i in range(1024):
            chunk = block[i:] + block[:i]  # every MiB differs
            digest.update(chunk)
            f.write(chunk)
    b = Browser()
    try:
        b.goto(portal_server.endpoint + "/_portal/")
        b.wait("document.querySelector('#login-form')", what="the sign-in page")
        b.fill("#login-key", ACCESS_KEY)
        b.fill("#login-secret", SECRET_KEY)
        b.click("#login-submit")
        b.wait("document.querySelector('#create-bucket')", what="the bucket list")
        b.goto(portal_server.endpoint + "/_portal/#/b/big-uploads/")
        b.wait("document.querySelector('#pick-files')", what="the object browser")
        b.set_files("#pick-files", [big])
        b.wait("document.querySelector('#uploads tr[data-upload=\"one-gib.bin\"] .state.ok')", timeout=600,
               what="the 1 GiB upload")
    finally:
        b.close()
    head = s3.head_object(Bucket="big-uploads", Key="one-gib.bin")
    assert head["ContentLength"] == 1024 * MIB and head["ETag"].strip('"').endswith("-128")
    got = hashlib.md5()
    for chunk in s3.get_object(Bucket="big-uploads", Key="one-gib.bin")["Body"].iter_chunks(MIB):
        got.update(chunk)
    assert got.digest() == digest.digest()
