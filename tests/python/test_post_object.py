"""POST Object (browser form uploads) over the wire: boto3's presigned POST (SigV4), SigV2
forms signed by hand, anonymous forms, policy conditions and S3's errors, and a real HTML
form submitted by Chromium."""

import base64
import datetime
import hashlib
import hmac
import json
import os
import uuid
import xml.etree.ElementTree as ET

import pytest
import urllib3

from conftest import ACCESS_KEY, SECRET_KEY

HTTP = urllib3.PoolManager()


def post_form(url, fields, file=("file", b"data"), filename="upload.bin", file_type="application/octet-stream"):
    """POSTs `fields` (in order) and then the file as multipart/form-data; no redirects."""
    parts = list(fields.items()) if isinstance(fields, dict) else list(fields)
    name, data = file
    parts.append((name, (filename, data, file_type)))
    body, content_type = urllib3.encode_multipart_formdata(parts)
    return HTTP.request("POST", url, body=body, headers={"Content-Type": content_type}, redirect=False)


def error_of(resp):
    root = ET.fromstring(resp.data)
    return root.findtext("Code"), root.findtext("Message")


def bucket_url(oosd, bucket):
    return f"{oosd.endpoint}/{bucket}"


def expiration(seconds=600):
    at = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds)
    return at.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def v2_form(bucket, key, conditions=None, expires=None, extra=None, secret=SECRET_KEY, policy_doc=None):
    """A SigV2-signed form: the policy's base64 text signed with HMAC-SHA1."""
    extra = dict(extra or {})
    if policy_doc is None:
        conds = [{"bucket": bucket}, ["starts-with", "$key", ""]]
        conds += [{k: v} for k, v in extra.items()]
        conds += conditions or []
        policy_doc = {"expiration": expires or expiration(), "conditions": conds}
    text = policy_doc if isinstance(policy_doc, str) else json.dumps(policy_doc)
    policy = base64.b64encode(text.encode()).decode()
    signature = base64.b64encode(hmac.new(secret.encode(), policy.encode(), hashlib.sha1).digest()).decode()
    fields = {"key": key, "AWSAccessKeyId": ACCESS_KEY, "policy": policy, "signature": signature}
    fields.update(extra)
    return fields


def test_boto3_presigned_post_v4_stores_the_file_with_its_fields(oosd, s3, bucket):
    data = os.urandom(3 * 1024 * 1024 + 17)  # past the inline threshold and several reads
    post = s3.generate_presigned_post(
        bucket, "uploads/${filename}",
        Fields={"Content-Type": "image/png", "x-amz-meta-origin": "form", "success_action_status": "201"},
        Conditions=[["starts-with", "$key", "uploads/"], {"Content-Type": "image/png"},
                    {"x-amz-meta-origin": "form"}, {"success_action_status": "201"},
                    ["content-length-range", 1, 10 * 1024 * 1024]],
        ExpiresIn=600)
    assert post["fields"]["x-amz-algorithm"] == "AWS4-HMAC-SHA256"
    resp = post_form(post["url"], post["fields"], ("file", data), filename="photo.png")
    assert resp.status == 201, resp.data
    root = ET.fromstring(resp.data)
    assert root.tag == "PostResponse"
    assert root.findtext("Bucket") == bucket
    assert root.findtext("Key") == "uploads/photo.png"
    md5 = hashlib.md5(data).hexdigest()
    assert root.findtext("ETag") == f'"{md5}"'
    assert root.findtext("Location").endswith(f"/{bucket}/uploads/photo.png")
    assert resp.headers["ETag"] == f'"{md5}"'
    got = s3.get_object(Bucket=bucket, Key="uploads/photo.png")
    assert got["Body"].read() == data
    assert got["ContentType"] == "image/png"
    assert got["Metadata"] == {"origin": "form"}
    assert got["ETag"] == f'"{md5}"'


def test_v2_form_defaults_to_204_and_small_files_inline(oosd, s3, bucket):
    fields = v2_form(bucket, "small.txt")
    resp = post_form(bucket_url(oosd, bucket), fields, ("file", b"hello form"))
    assert resp.status == 204, resp.data
    assert resp.headers["Location"].endswith(f"/{bucket}/small.txt")
    assert s3.get_object(Bucket=bucket, Key="small.txt")["Body"].read() == b"hello form"
    # Without a Content-Type field the object is binary/octet-stream, as in S3.
    assert s3.head_object(Bucket=bucket, Key="small.txt")["ContentType"] == "binary/octet-stream"


def test_success_action_status_200_and_unknown_values(oosd, s3, bucket):
    for status, want in (("200", 200), ("404", 204), ("nonsense", 204)):
        fields = v2_form(bucket, f"s-{status}", extra={"success_action_status": status})
        resp = post_form(bucket_url(oosd, bucket), fields)
        assert resp.status == want, (status, resp.data)
        assert resp.data == b""


def test_success_action_redirect_sends_303_with_bucket_key_and_etag(oosd, s3, bucket):
    target = "http://example.invalid/done?from=form"
    fields = v2_form(bucket, "r/x y.txt", extra={"success_action_redirect": target})
    resp = post_form(bucket_url(oosd, bucket), fields, ("file", b"abc"))
    assert resp.status == 303, resp.data
    md5 = hashlib.md5(b"abc").hexdigest()
    assert resp.headers["Location"] == (
        f"{target}&bucket={bucket}&key=r%2Fx+y.txt&etag=%22{md5}%22")
    assert s3.get_object(Bucket=bucket, Key="r/x y.txt")["Body"].read() == b"abc"


def test_acl_tagging_and_metadata_fields_apply_to_the_object(oosd, s3, bucket):
    tagging = "<Tagging><TagSet><Tag><Key>team</Key><Value> a b </Value></Tag></TagSet></Tagging>"
    fields = v2_form(bucket, "public.txt", extra={"acl": "public-read", "tagging": tagging,
                                                   "Cache-Control": "max-age=60", "x-amz-meta-Who": "me"})
    resp = post_form(bucket_url(oosd, bucket), fields, ("file", b"for everyone"))
    assert resp.status == 204, resp.data
    anon = HTTP.request("GET", f"{bucket_url(oosd, bucket)}/public.txt")
    assert anon.status == 200 and anon.data == b"for everyone"
    assert anon.headers["Cache-Control"] == "max-age=60"
    assert anon.headers["x-amz-meta-who"] == "me"
    tags = s3.get_object_tagging(Bucket=bucket, Key="public.txt")["TagSet"]
    assert tags == [{"Key": "team", "Value": " a b "}]


def test_anonymous_form_needs_a_publicly_writable_bucket(oosd, s3, bucket):
    url = bucket_url(oosd, bucket)
    resp = post_form(url, {"key": "anon.txt"}, ("file", b"x"))
    assert resp.status == 403 and error_of(resp)[0] == "AccessDenied"
    s3.put_bucket_acl(Bucket=bucket, ACL="public-read-write")
    resp = post_form(url, {"key": "anon.txt"}, ("file", b"anonymous bytes"))
    assert resp.status == 204, resp.data
    assert s3.get_object(Bucket=bucket, Key="anon.txt")["Body"].read() == b"anonymous bytes"
    # A policy needs a signer.
    policy = base64.b64encode(json.dumps({"expiration": expiration(), "conditions": []}).encode()).decode()
    resp = post_form(url, {"key": "anon2.txt", "policy": policy}, ("file", b"x"))
    assert resp.status == 400 and error_of(resp) == (
        "InvalidArgument",
        "Bucket POST must contain a field named 'AWSAccessKeyId'.  If it is specified, please check the order of the fields.")


def refused(oosd, s3, bucket, fields, status, code, message=None, key=None, data=b"x"):
    resp = post_form(bucket_url(oosd, bucket), fields, ("file", data))
    assert resp.status == status, resp.data
    got_code, got_message = error_of(resp)
    assert got_code == code, resp.data
    if message is not None:
        assert got_message == message
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket, Prefix=key or fields.get("key", "")), \
        "a refused form must store nothing"


def test_policy_failures_are_403_with_s3s_messages(oosd, s3, bucket):
    refused(oosd, s3, bucket, v2_form(bucket, "old", expires="2001-01-01T00:00:00Z"), 403, "AccessDenied",
            "Invalid according to Policy: Policy expired.")
    fields = v2_form(bucket, "ct", conditions=[{"Content-Type": "text/plain"}],
                     extra={})
    fields["Content-Type"] = "image/gif"
    refused(oosd, s3, bucket, fields, 403, "AccessDenied",
            'Invalid according to Policy: Policy Condition failed: ["eq", "$Content-Type", "text/plain"]')
    fields = v2_form(bucket, "extra")
    fields["x-amz-meta-sneaky"] = "1"
    refused(oosd, s3, bucket, fields, 403, "AccessDenied",
            "Invalid according to Policy: Extra input fields: x-amz-meta-sneaky")
    # The policy names another bucket.
    other = v2_form("some-other-bucket", "wrong")
    refused(oosd, s3, bucket, other, 403, "AccessDenied")
    # Field names match without case; x-ignore-* needs no condition.
    fields = v2_form(bucket, "ok")
    fields = {("KEY" if k == "key" else k): v for k, v in fields.items()}
    fields["x-ignore-note"] = "free"
    resp = post_form(bucket_url(oosd, bucket), fields)
    assert resp.status == 204, resp.data


def test_malformed_policies_are_invalid_policy_document(oosd, s3, bucket):
    cases = [
        ({"conditions": []}, "Invalid Policy: Policy missing expiration."),
        ({"expiration": expiration()}, "Invalid Policy: Policy missing conditions."),
        ({"expiration": expiration(), "CONDITIONS": []}, "Invalid Policy: Unexpected: 'conditions'"),
        ({"EXPIRATION": expiration(), "conditions": []}, "Invalid Policy: Unexpected: 'expiration'"),
        ({"expiration": "2030-13-45", "conditions": []}, "Invalid Policy: Invalid 'expiration' value: '2030-13-45'"),
        ({"expiration": expiration(), "conditions": [{}]},
         "Invalid Policy: Invalid Simple-Condition: Simple-Conditions must have exactly one property specified."),
        ({"expiration": expiration(), "conditions": [["content-length-range", 0]]},
         "Invalid Policy: Invalid content-length-range: wrong number of arguments."),
        ({"expiration": expiration(), "conditions": [["content-length-range", -1, 10]]},
         "Invalid Policy: Invalid content-length-range: the bounds must not be negative."),
    ]
    for doc, message in cases:
        refused(oosd, s3, bucket, v2_form(bucket, "bad-policy", policy_doc=doc), 400, "InvalidPolicyDocument", message)


def test_signature_and_credential_errors(oosd, s3, bucket):
    refused(oosd, s3, bucket, v2_form(bucket, "sig", secret="not-the-secret"), 403, "SignatureDoesNotMatch")
    fields = v2_form(bucket, "akid")
    fields["AWSAccessKeyId"] = "AKNOSUCHKEY000000000"
    refused(oosd, s3, bucket, fields, 403, "InvalidAccessKeyId")
    fields = v2_form(bucket, "nosig")
    del fields["signature"]
    refused(oosd, s3, bucket, fields, 400, "InvalidArgument")
    fields = v2_form(bucket, "nokey")
    del fields["key"]
    refused(oosd, s3, bucket, fields, 400, "InvalidArgument",
            "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.",
            key="nokey")
    post = s3.generate_presigned_post(bucket, "v4bad", ExpiresIn=600)
    post["fields"]["x-amz-signature"] = "0" * 64
    refused(oosd, s3, bucket, post["fields"], 403, "SignatureDoesNotMatch")


def test_content_length_range_bounds_the_file(oosd, s3, bucket):
    cond = [["content-length-range", 10, 20]]
    refused(oosd, s3, bucket, v2_form(bucket, "big", conditions=cond), 400, "EntityTooLarge", data=b"x" * 21)
    refused(oosd, s3, bucket, v2_form(bucket, "tiny", conditions=cond), 400, "EntityTooSmall", data=b"x" * 9)
    # A large file past the limit is refused as it streams, leaving nothing.
    big = [["content-length-range", 0, 1024 * 1024]]
    refused(oosd, s3, bucket, v2_form(bucket, "huge", conditions=big), 400, "EntityTooLarge",
            data=os.urandom(2 * 1024 * 1024))
    resp = post_form(bucket_url(oosd, bucket), v2_form(bucket, "fits", conditions=cond), ("file", b"x" * 20))
    assert resp.status == 204, resp.data


def test_checksum_field_is_verified(oosd, s3, bucket):
    data = b"checked bytes"
    good = base64.b64encode(hashlib.sha256(data).digest()).decode()
    fields = v2_form(bucket, "sum", extra={"x-amz-checksum-sha256": good})
    resp = post_form(bucket_url(oosd, bucket), fields, ("file", data))
    assert resp.status == 204, resp.data
    head = s3.head_object(Bucket=bucket, Key="sum", ChecksumMode="ENABLED")
    assert head["ChecksumSHA256"] == good
    wrong = base64.b64encode(hashlib.sha256(b"other").digest()).decode()
    fields = v2_form(bucket, "sum-bad", extra={"x-amz-checksum-sha256": wrong})
    refused(oosd, s3, bucket, fields, 400, "BadDigest", data=data)


def test_form_shape_errors(oosd, s3, bucket):
    url = bucket_url(oosd, bucket)
    resp = HTTP.request("POST", url, body=b"key=a", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert resp.status == 412 and error_of(resp)[0] == "PreconditionFailed"
    # Fields before the file are bounded (S3: 20 KiB).
    fields = v2_form(bucket, "long", extra={"x-ignore-pad": "p" * 25000})
    refused(oosd, s3, bucket, fields, 400, "MaxPostPreDataLengthExceeded")
    # No file at all.
    body, ctype = urllib3.encode_multipart_formdata([("key", "nofile")])
    resp = HTTP.request("POST", url, body=body, headers={"Content-Type": ctype})
    assert resp.status == 400 and error_of(resp)[0] == "InvalidArgument"
    # Asking for encryption that is not applied (dual-layer) is refused.
    refused(oosd, s3, bucket, v2_form(bucket, "sse", extra={"x-amz-server-side-encryption": "aws:kms:dsse"}),
            501, "NotImplemented")
    resp = post_form(f"{oosd.endpoint}/no-such-bucket-{uuid.uuid4().hex[:8]}", {"key": "k"})
    assert resp.status == 404 and error_of(resp)[0] == "NoSuchBucket"


def test_fields_after_the_file_are_ignored(oosd, s3, bucket):
    fields = list(v2_form(bucket, "after").items())
    parts = fields + [("file", ("a.txt", b"file first", "text/plain")), ("x-amz-meta-late", "ignored")]
    body, ctype = urllib3.encode_multipart_formdata(parts)
    resp = HTTP.request("POST", bucket_url(oosd, bucket), body=body, headers={"Content-Type": ctype})
    assert resp.status == 204, resp.data
    head = s3.head_object(Bucket=bucket, Key="after")
    assert head["Metadata"] == {}
    assert s3.get_object(Bucket=bucket, Key="after")["Body"].read() == b"file first"


def test_chromium_submits_a_real_html_form(oosd, s3, bucket, tmp_path):
    from cdp import Browser

    post = s3.generate_presigned_post(
        bucket, "browser/${filename}",
        Fields={"success_action_status": "201", "Content-Type": "text/plain"},
        Conditions=[["starts-with", "$key", "browser/"], {"success_action_status": "201"},
                    ["starts-with", "$Content-Type", "text/"]],
        ExpiresIn=600)
    inputs = "".join(f'<input type="hidden" name="{k}" value="{v}">' for k, v in post["fields"].items())
    page = (f'<html><body><form id="f" action="{post["url"]}" method="post" enctype="multipart/form-data">'
            f'{inputs}<input type="file" name="file" id="file"><input type="submit" id="go"></form></body></html>')
    # The page itself is served by oosd from a public object, as a site would host it.
    s3.put_object(Bucket=bucket, Key="form.html", Body=page.encode(), ContentType="text/html", ACL="public-read")
    upload = tmp_path / "hello.txt"
    upload.write_bytes("from a browser form ✓\n".encode())
    browser = Browser()
    try:
        browser.goto(f"{bucket_url(oosd, bucket)}/form.html")
        browser.set_files("#file", [upload])
        browser.click("#go")
        browser.wait("document.documentElement.outerHTML.includes('PostResponse')", what="the PostResponse page")
        assert "browser/hello.txt" in browser.eval("document.documentElement.outerHTML")
    finally:
        browser.close()
    got = s3.get_object(Bucket=bucket, Key="browser/hello.txt")
    assert got["Body"].read() == upload.read_bytes()
    assert got["ContentType"] == "text/plain"
