"""Bucket websites: PUT / GET / DELETE ?website, and serving on `{bucket}.web.localtest`
(index and error documents, redirects, routing rules, HTML error pages, anonymous access),
also in a real browser (headless Chromium)."""

import base64
import hashlib
import http.client
import pathlib
import re
import shutil
import subprocess
import tempfile
import urllib.parse
import uuid

import botocore
import pytest

from conftest import Oosd, error_code

WEB_DOMAIN = "web.localtest"
ASSETS = pathlib.Path(__file__).resolve().parent / "website_assets"
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def web():
    d = pathlib.Path(tempfile.mkdtemp(prefix="oosd-web-"))
    config = d / "oosd.toml"
    config.write_text(f'website_domains = ["{WEB_DOMAIN}"]\n')
    server = Oosd(d / "data", config=config).start()
    yield server
    server.stop()
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="module")
def s3(web):
    return web.client()


def port(server):
    return int(server.endpoint.rsplit(":", 1)[1])


def site_host(server, bucket):
    return f"{bucket}.{WEB_DOMAIN}:{port(server)}"


def fetch(server, bucket, path="/", method="GET", headers=None, body=None):
    """One request to the website host of `bucket`: (status, lower-cased headers, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port(server), timeout=10)
    conn.request(method, path, body=body, headers={"Host": site_host(server, bucket), **(headers or {})})
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data


def new_bucket(s3, acl="public-read"):
    name = "w-" + uuid.uuid4().hex[:12]
    s3.create_bucket(Bucket=name, ACL=acl)
    return name


def upload_site(s3, bucket):
    types = {".html": "text/html; charset=utf-8", ".css": "text/css"}
    for f in ASSETS.iterdir():
        s3.put_object(Bucket=bucket, Key=f.name, Body=f.read_bytes(), ContentType=types[f.suffix])


INDEX_ONLY = {"IndexDocument": {"Suffix": "index.html"}}
WITH_ERRORS = {"IndexDocument": {"Suffix": "index.html"}, "ErrorDocument": {"Key": "error.html"}}


def assert_html_error(status, headers, body, want_status, code):
    assert status == want_status, body
    assert headers["content-type"].startswith("text/html")
    text = body.decode()
    assert text.startswith("<html>") and "<Error>" not in text and "<?xml" not in text
    assert f"<li>Code: {code}</li>" in text
    assert f"<h1>{want_status} " in text


def tamper(client, event, fn):
    client.meta.events.register(event, fn)
    return lambda: client.meta.events.unregister(event, fn)


def put_raw_website(s3, bucket, body):
    """PutBucketWebsite with `body` as sent, whatever boto3 would have serialized."""

    def rewrite(request, **kw):
        request.data = body
        for h in list(request.headers.keys()):
            if h.lower().startswith("x-amz-checksum") or h.lower() in ("content-md5", "x-amz-sdk-checksum-algorithm"):
                del request.headers[h]
        request.headers["Content-MD5"] = base64.b64encode(hashlib.md5(body).digest()).decode()
        request.headers["Content-Length"] = str(len(body))

    undo = tamper(s3, "before-sign.s3.PutBucketWebsite", rewrite)
    try:
        return s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration=INDEX_ONLY)
    finally:
        undo()


# ---------- configuration ----------


def test_put_get_delete_website(s3):
    b = new_bucket(s3)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_bucket_website(Bucket=b)
    assert error_code(e) == "NoSuchWebsiteConfiguration"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    rules = [
        {"Condition": {"KeyPrefixEquals": "docs/"}, "Redirect": {"ReplaceKeyPrefixWith": "documents/"}},
        {"Condition": {"HttpErrorCodeReturnedEquals": "404"},
         "Redirect": {"HostName": "example.com", "Protocol": "https", "HttpRedirectCode": "302", "ReplaceKeyWith": "gone.html"}},
    ]
    r = s3.put_bucket_website(Bucket=b, WebsiteConfiguration={**WITH_ERRORS, "RoutingRules": rules})
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 200
    got = s3.get_bucket_website(Bucket=b)
    assert got["IndexDocument"] == {"Suffix": "index.html"}
    assert got["ErrorDocument"] == {"Key": "error.html"}
    assert got["RoutingRules"] == rules
    # Replacing: the new document wins whole.
    s3.put_bucket_website(Bucket=b, WebsiteConfiguration={"RedirectAllRequestsTo": {"HostName": "example.org"}})
    got = s3.get_bucket_website(Bucket=b)
    assert got["RedirectAllRequestsTo"] == {"HostName": "example.org"}
    assert "IndexDocument" not in got and "RoutingRules" not in got
    r = s3.delete_bucket_website(Bucket=b)
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_bucket_website(Bucket=b)
    assert error_code(e) == "NoSuchWebsiteConfiguration"
    # Deleting again is still 204.
    assert s3.delete_bucket_website(Bucket=b)["ResponseMetadata"]["HTTPStatusCode"] == 204


def test_website_config_needs_the_owner_and_the_bucket(web, s3):
    b = new_bucket(s3)
    anon = web.client(signature_version=botocore.UNSIGNED)
    for call in (lambda: anon.put_bucket_website(Bucket=b, WebsiteConfiguration=INDEX_ONLY),
                 lambda: anon.get_bucket_website(Bucket=b),
                 lambda: anon.delete_bucket_website(Bucket=b)):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            call()
        assert error_code(e) == "AccessDenied"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.put_bucket_website(Bucket="no-such-bucket-" + uuid.uuid4().hex[:8], WebsiteConfiguration=INDEX_ONLY)
    assert error_code(e) == "NoSuchBucket"


@pytest.mark.parametrize("config,code,message", [
    ({"ErrorDocument": {"Key": "e.html"}}, "InvalidArgument",
     "A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty"),
    ({"IndexDocument": {"Suffix": "dir/index.html"}}, "InvalidArgument", "The IndexDocument Suffix is not well formed"),
    ({"IndexDocument": {"Suffix": ""}}, "InvalidArgument", "The IndexDocument Suffix is not well formed"),
    ({"RedirectAllRequestsTo": {"HostName": "example.com"}, "IndexDocument": {"Suffix": "index.html"}},
     "InvalidArgument", "RedirectAllRequestsTo cannot be provided in conjunction with other Routing Rules."),
    ({"RedirectAllRequestsTo": {"HostName": "example.com", "Protocol": "ftp"}}, "InvalidRequest",
     "Invalid protocol, protocol can be http or https. If not defined the protocol will be selected automatically."),
    ({**INDEX_ONLY, "RoutingRules": [{"Redirect": {"ReplaceKeyWith": "a", "ReplaceKeyPrefixWith": "b/"}}]},
     "InvalidRequest", "You can only define ReplaceKeyPrefix or ReplaceKey but not both."),
    ({**INDEX_ONLY, "RoutingRules": [{"Redirect": {"HostName": "h", "HttpRedirectCode": "300"}}]},
     "InvalidRequest", "The provided HTTP redirect code (300) is not valid. Valid codes are 3XX except 300."),
    ({**INDEX_ONLY, "RoutingRules": [{"Condition": {"HttpErrorCodeReturnedEquals": "302"}, "Redirect": {"HostName": "h"}}]},
     "InvalidRequest", "The provided HTTP error code (302) is not valid. Valid codes are 4XX or 5XX."),
    ({**INDEX_ONLY, "RoutingRules": [{"Condition": {}, "Redirect": {"HostName": "h"}}]},
     "InvalidRequest", "Condition cannot be empty. To redirect all requests without a condition, the condition element shouldn't be present."),
    ({**INDEX_ONLY, "RoutingRules": [{"Redirect": {"HostName": f"h{i}"}} for i in range(51)]},
     "InvalidRequest", "The number of routing rules in a website configuration is limited to 50."),
])
def test_invalid_website_configs_are_refused(s3, config, code, message):
    b = new_bucket(s3)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.put_bucket_website(Bucket=b, WebsiteConfiguration=config)
    assert error_code(e) == code
    assert e.value.response["Error"]["Message"] == message
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_bucket_website(Bucket=b)
    assert error_code(e) == "NoSuchWebsiteConfiguration"


@pytest.mark.parametrize("body", [
    b"<WebsiteConfiguration><IndexDocument><Suffix>index.html</Suffix>",
    b"<NotAWebsite><IndexDocument><Suffix>index.html</Suffix></IndexDocument></NotAWebsite>",
    b"<WebsiteConfiguration><IndexDocument><Suffix>i.html</Suffix></IndexDocument><ErrorDocument/></WebsiteConfiguration>",
    b"<WebsiteConfiguration><RedirectAllRequestsTo><Protocol>https</Protocol></RedirectAllRequestsTo></WebsiteConfiguration>",
    b"<WebsiteConfiguration><IndexDocument><Suffix>i.html</Suffix></IndexDocument><RoutingRules/></WebsiteConfiguration>",
    b"<WebsiteConfiguration><IndexDocument><Suffix>i.html</Suffix></IndexDocument>"
    b"<RoutingRules><RoutingRule><Condition><KeyPrefixEquals>a</KeyPrefixEquals></Condition></RoutingRule></RoutingRules>"
    b"</WebsiteConfiguration>",
])
def test_malformed_website_xml(s3, body):
    b = new_bucket(s3)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        put_raw_website(s3, b, body)
    assert error_code(e) == "MalformedXML"


def test_website_body_limit_is_10_kib(s3):
    b = new_bucket(s3)
    head = b'<WebsiteConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><IndexDocument><Suffix>i.html</Suffix></IndexDocument>'
    tail = b"</WebsiteConfiguration>"
    fits = head + b" " * (10 * 1024 - len(head) - len(tail)) + tail
    assert len(fits) == 10 * 1024
    put_raw_website(s3, b, fits)
    assert s3.get_bucket_website(Bucket=b)["IndexDocument"] == {"Suffix": "i.html"}
    with pytest.raises(botocore.exceptions.ClientError) as e:
        put_raw_website(s3, b, head + b" " * (10 * 1024 + 1 - len(head) - len(tail)) + tail)
    assert error_code(e) == "MaxMessageLengthExceeded"
    assert s3.get_bucket_website(Bucket=b)["IndexDocument"] == {"Suffix": "i.html"}


def test_raw_document_with_namespace_is_stored(s3):
    b = new_bucket(s3)
    body = (b'<?xml version="1.0" encoding="UTF-8"?>\n<WebsiteConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
            b"<IndexDocument><Suffix>home.htm</Suffix></IndexDocument>"
            b"<RoutingRules><RoutingRule><Condition><KeyPrefixEquals>old/</KeyPrefixEquals></Condition>"
            b"<Redirect><ReplaceKeyPrefixWith></ReplaceKeyPrefixWith></Redirect></RoutingRule></RoutingRules>"
            b"</WebsiteConfiguration>")
    put_raw_website(s3, b, body)
    got = s3.get_bucket_website(Bucket=b)
    assert got["IndexDocument"] == {"Suffix": "home.htm"}
    assert got["RoutingRules"][0]["Redirect"] == {"ReplaceKeyPrefixWith": ""}


# ---------- serving ----------


def test_index_and_error_documents(web, s3):
    b = new_bucket(s3)
    upload_site(s3, b)
    s3.put_object(Bucket=b, Key="docs/index.html", Body=b"<p>docs index</p>", ContentType="text/html")
    s3.put_bucket_website(Bucket=b, WebsiteConfiguration=WITH_ERRORS)

    status, headers, body = fetch(web, b, "/")
    assert status == 200
    assert body == (ASSETS / "index.html").read_bytes()
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert headers["etag"] and headers["last-modified"]

    status, headers, body = fetch(web, b, "/style.css")
    assert (status, headers["content-type"]) == (200, "text/css")
    assert body == (ASSETS / "style.css").read_bytes()

    status, _, body = fetch(web, b, "/docs/")
    assert (status, body) == (200, b"<p>docs index</p>")
    # A "directory" without its slash redirects to it (S3 answers 302).
    status, headers, _ = fetch(web, b, "/docs")
    assert status == 302
    assert headers["location"] == "/docs/"

    status, headers, body = fetch(web, b, "/missing.html")
    assert status == 404
    assert body == (ASSETS / "error.html").read_bytes()
    assert headers["content-type"].startswith("text/html")
    status, _, body = fetch(web, b, "/nodir/")
    assert (status, body) == (404, (ASSETS / "error.html").read_bytes())

    # HEAD: headers only.
    status, headers, body = fetch(web, b, "/", method="HEAD")
    assert (status, body) == (200, b"")
    assert headers["content-length"] == str(len((ASSETS / "index.html").read_bytes()))
    status, headers, body = fetch(web, b, "/nothing", method="HEAD")
    assert (status, body) == (404, b"")

    # Conditional and range requests behave as on GetObject.
    etag = fetch(web, b, "/style.css")[1]["etag"]
    assert fetch(web, b, "/style.css", headers={"If-None-Match": etag})[0] == 304
    status, headers, body = fetch(web, b, "/style.css", headers={"Range": "bytes=0-3"})
    assert (status, body) == (206, b"body")
    assert headers["content-range"].startswith("bytes 0-3/")


def test_missing_key_without_error_document_is_an_html_page(web, s3):
    b = new_bucket(s3)
    s3.put_object(Bucket=b, Key="index.html", Body=b"home", ContentType="text/html")
    s3.put_bucket_website(Bucket=b, WebsiteConfiguration=INDEX_ONLY)
    assert fetch(web, b, "/")[2] == b"home"
    status, headers, body = fetch(web, b, "/a%3Cb%3E.html")
    assert_html_error(status, headers, body, 404, "NoSuchKey")
    assert "<li>Key: a&lt;b&gt;.html</li>" in body.decode()
    # The error document is configured but missing: the generated page again.
    s3.put_bucket_website(Bucket=b, WebsiteConfiguration=WITH_ERRORS)
    assert_html_error(*fetch(web, b, "/nope"), 404, "NoSuchKey")


def test_website_redirect_location(web, s3):
    b = new_bucket(s3)
    s3.put_object(Bucket=b, Key="index.html", Body=b"home", ContentType="text/html")
    s3.put_object(Bucket=b, Key="old.html", Body=b"", WebsiteRedirectLocation="/index.html")
    s3.put_object(Bucket=b, Key="away", Body=b"", WebsiteRedirectLocation="https://example.com/x")
    s3.put_bucket_website(Bucket=b, WebsiteConfiguration=INDEX_ONLY)
    status, headers, _ = fetch(web, b, "/old.html")
    assert (status, headers["location"]) == (301, "/index.html")
    status, headers, _ = fetch(web, b, "/away", method="HEAD")
    assert (status, headers["location"]) == (301, "https://example.com/x")
    # The REST endpoint still serves the object itself.
    assert s3.get_object(Bucket=b, Key="old.html")["WebsiteRedirectLocation"] == "/index.html"


def test_routing_rules(web, s3):
    b = new_bucket(s3)
    s3.put_object(Bucket=b, Key="index.html", Body=b"home", ContentType="text/html")
    s3.put_object(Bucket=b, Key="images/here.png", Body=b"png", ContentType="image/png")
    s3.put_bucket_website(Bucket=b, WebsiteConfiguration={**INDEX_ONLY, "RoutingRules": [
        {"Condition": {"KeyPrefixEquals": "docs/"}, "Redirect": {"ReplaceKeyPrefixWith": "documents/"}},
        {"Condition": {"KeyPrefixEquals": "images/", "HttpErrorCodeReturnedEquals": "404"},
         "Redirect": {"HostName": "img.example.com", "Protocol": "https", "HttpRedirectCode": "302",
                      "ReplaceKeyWith": "missing.png"}},
        {"Condition": {"HttpErrorCodeReturnedEquals": "404"},
         "Redirect": {"HostName": "fallback.example.com", "ReplaceKeyPrefixWith": "report-404/"}},
        {"Condition": {"KeyPrefixEquals": "docs/never"}, "Redirect": {"HostName": "never.example.com"}},
    ]})
    host = site_host(web, b)
    # KeyPrefixEquals: applied before the lookup, same host, 301 by default.
    status, headers, _ = fetch(web, b, "/docs/guide/a%20b.html")
    assert (status, headers["location"]) == (301, f"http://{host}/documents/guide/a%20b.html")
    status, _, _ = fetch(web, b, "/docs/never.html")
    assert status == 301  # the first matching rule wins
    # HttpErrorCodeReturnedEquals: only when the lookup fails.
    assert fetch(web, b, "/images/here.png")[:3:2] == (200, b"png")
    status, headers, _ = fetch(web, b, "/images/gone.png")
    assert (status, headers["location"]) == (302, "https://img.example.com/missing.png")
    status, headers, _ = fetch(web, b, "/other/page.html")
    assert (status, headers["location"]) == (301, "http://fallback.example.com/report-404/other/page.html")
    assert fetch(web, b, "/")[2] == b"home"


def test_redirect_all_requests(web, s3):
    b = new_bucket(s3)
    s3.put_bucket_website(Bucket=b, WebsiteConfiguration={"RedirectAllRequestsTo": {"HostName": "www.example.org", "Protocol": "https"}})
    status, headers, _ = fetch(web, b, "/a/b.html?x=1")
    assert (status, headers["location"]) == (301, "https://www.example.org/a/b.html")
    s3.put_bucket_website(Bucket=b, WebsiteConfiguration={"RedirectAllRequestsTo": {"HostName": "example.net"}})
    status, headers, _ = fetch(web, b, "/")
    assert (status, headers["location"]) == (301, "http://example.net/")


def test_only_get_and_head(web, s3):
    b = new_bucket(s3, acl="public-read-write")
    s3.put_object(Bucket=b, Key="index.html", Body=b"home", ContentType="text/html")
    s3.put_bucket_website(Bucket=b, WebsiteConfiguration=INDEX_ONLY)
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        status, headers, body = fetch(web, b, "/index.html", method=method, body=b"data")
        assert_html_error(status, headers, body, 405, "MethodNotAllowed")
    # Nothing was written or deleted through the website host.
    assert s3.get_object(Bucket=b, Key="index.html")["Body"].read() == b"home"


def test_private_bucket_answers_403_pages(web, s3):
    b = new_bucket(s3, acl="private")
    upload_site(s3, b)
    s3.put_bucket_website(Bucket=b, WebsiteConfiguration=INDEX_ONLY)
    for path in ("/", "/style.css", "/missing"):
        assert_html_error(*fetch(web, b, path), 403, "AccessDenied")
    # An object made public by its own ACL is served.
    s3.put_object(Bucket=b, Key="public.html", Body=b"open", ContentType="text/html", ACL="public-read")
    assert fetch(web, b, "/public.html")[2] == b"open"
    # Making the bucket public-read opens the site.
    s3.put_bucket_acl(Bucket=b, ACL="public-read")
    status, _, body = fetch(web, b, "/")
    assert (status, body) == (200, (ASSETS / "index.html").read_bytes())


def test_missing_bucket_and_missing_config_are_html(web, s3):
    assert_html_error(*fetch(web, "no-such-bucket-" + uuid.uuid4().hex[:8]), 404, "NoSuchBucket")
    b = new_bucket(s3)
    s3.put_object(Bucket=b, Key="index.html", Body=b"home")
    status, headers, body = fetch(web, b, "/index.html")
    assert_html_error(status, headers, body, 404, "NoSuchWebsiteConfiguration")
    assert f"<li>BucketName: {b}</li>" in body.decode()


# ---------- a real browser ----------


def chromium_dom(server, tmp_path, url):
    """The DOM of `url` after scripts ran, as headless Chromium renders it."""
    assert pathlib.Path(CHROMIUM).exists(), "headless Chromium is required (CI installs Debian's chromium)"
    profile = tmp_path / f"profile-{uuid.uuid4().hex[:8]}"
    args = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-features=HttpsUpgrades,HttpsFirstBalancedModeAutoEnable",
        f"--user-data-dir={profile}", f"--host-resolver-rules=MAP *.{WEB_DOMAIN} 127.0.0.1",
        "--virtual-time-budget=3000", "--dump-dom", url,
    ]
    out = subprocess.run(args, capture_output=True, text=True, timeout=90)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


def test_browser_renders_two_page_site(web, s3, tmp_path):
    b = new_bucket(s3)
    upload_site(s3, b)
    s3.put_bucket_website(Bucket=b, WebsiteConfiguration=WITH_ERRORS)
    base = f"http://{site_host(web, b)}/"

    dom = chromium_dom(web, tmp_path, base)
    assert "Welcome to the OOS website" in dom
    # The inline script read the colour the stylesheet gives: the CSS was loaded (as text/css).
    assert "index probe color: rgb(12, 34, 56)" in dom
    # Follow the link the rendered index carries to the second page.
    link = re.search(r'<a id="next" href="([^"]+)"', dom)
    assert link, dom
    dom = chromium_dom(web, tmp_path, urllib.parse.urljoin(base, link.group(1)))
    assert "This is the second page" in dom
    assert "page2 probe color: rgb(12, 34, 56)" in dom

    dom = chromium_dom(web, tmp_path, base + "no/such/page.html")
    assert "Custom error page: nothing lives here" in dom


def test_cname_hosts_serve_the_bucket_of_that_name(fresh_dir):
    """With website_cname, any other Host is the website of the bucket of that name (OOS CNAME
    hosting); S3 requests on the address keep working."""
    cfg = fresh_dir / "cname.toml"
    cfg.write_text(f'website_domains = ["{WEB_DOMAIN}"]\nwebsite_cname = true\n')
    server = Oosd(fresh_dir / "data", config=cfg).start()
    try:
        s3 = server.client()
        name = "www.cname-site.test"
        s3.create_bucket(Bucket=name, ACL="public-read")
        s3.put_object(Bucket=name, Key="index.html", Body=b"<p>cname home</p>", ContentType="text/html")
        s3.put_bucket_website(Bucket=name, WebsiteConfiguration={"IndexDocument": {"Suffix": "index.html"}})
        conn = http.client.HTTPConnection("127.0.0.1", port(server), timeout=10)
        conn.request("GET", "/", headers={"Host": f"{name}:{port(server)}"})
        resp = conn.getresponse()
        assert resp.status == 200 and resp.read() == b"<p>cname home</p>"
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == [name]
    finally:
        server.stop()


def test_website_hosts_answer_cors_preflights(web, s3):
    bucket = new_bucket(s3)
    upload_site(s3, bucket)
    s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration=INDEX_ONLY)
    asks = {"Origin": "http://app.example.com", "Access-Control-Request-Method": "GET"}
    status, headers, body = fetch(web, bucket, "/index.html", method="OPTIONS", headers=asks)
    assert status == 403 and b"<html" in body.lower(), "no CORS rule: refused, as an HTML page"
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [
        {"AllowedOrigins": ["http://app.example.com"], "AllowedMethods": ["GET"]}]})
    status, headers, _ = fetch(web, bucket, "/index.html", method="OPTIONS", headers=asks)
    assert status == 200
    assert headers["access-control-allow-origin"] == "http://app.example.com"


def test_website_responses_carry_x_amz_expiration(web, s3):
    bucket = new_bucket(s3)
    upload_site(s3, bucket)
    s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration=INDEX_ONLY)
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
        {"ID": "tidy", "Filter": {"Prefix": "index"}, "Status": "Enabled", "Expiration": {"Days": 3}}]})
    status, headers, _ = fetch(web, bucket, "/")
    assert status == 200
    assert headers["x-amz-expiration"].startswith('expiry-date="') and 'rule-id="tidy"' in headers["x-amz-expiration"]
    status, headers, _ = fetch(web, bucket, "/page2.html")
    assert status == 200 and "x-amz-expiration" not in headers
