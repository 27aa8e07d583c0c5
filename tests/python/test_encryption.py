"""Server-side encryption over the wire with boto3: SSE-S3, SSE-KMS (keys from `oosd kms` and
the admin API), SSE-C, bucket default encryption, multipart, copies, form uploads, and the
proof that what lands on disk is not the plaintext."""

import base64
import hashlib
import json
import os
import pathlib
import sqlite3
import subprocess

import botocore
import pytest
import urllib3

from accounts_helpers import admin_call, oosd_bin
from conftest import Oosd, refused

HTTP = urllib3.PoolManager()


class Answer:
    def __init__(self, r):
        self.status_code, self.content, self.headers = r.status, r.data, r.headers
        self.text = r.data.decode(errors="replace")


def http(method, url, data=None, headers=None):
    return Answer(HTTP.request(method, url, body=data, headers=headers or {}, redirect=False))


KEY = os.urandom(32)
OTHER_KEY = os.urandom(32)
SSE_C = {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": KEY}
COPY_SSE_C = {"CopySourceSSECustomerAlgorithm": "AES256", "CopySourceSSECustomerKey": KEY}


def marker(n):
    """Plaintext that is easy to find in a file: a unique phrase, repeated."""
    phrase = b"plaintext-marker-" + os.urandom(6).hex().encode() + b"|"
    return (phrase * (n // len(phrase) + 1))[:n], phrase


def on_disk(data_dir, phrase):
    """Whether any file under the data directory (data shards, the metadata database and its
    log) holds `phrase`."""
    for path in pathlib.Path(data_dir).rglob("*"):
        if path.is_file() and phrase in path.read_bytes():
            return True
    return False


def kms_cmd(oosd, *args):
    r = subprocess.run([oosd_bin(), "kms", *args, "--json", "--data-dir", str(oosd.data_dir)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def raw_get(s3, bucket, key, headers):
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": key})
    return http("GET", url, headers=headers)


@pytest.mark.parametrize("size", [100, 200_000], ids=["inline", "data-file"])
def test_sse_s3_round_trips_and_the_disk_holds_no_plaintext(oosd, s3, bucket, size):
    body, phrase = marker(size)
    put = s3.put_object(Bucket=bucket, Key="secret", Body=body, ServerSideEncryption="AES256")
    assert put["ServerSideEncryption"] == "AES256"
    assert put["ETag"] == '"%s"' % hashlib.md5(body).hexdigest()
    got = s3.get_object(Bucket=bucket, Key="secret")
    assert got["Body"].read() == body
    assert got["ServerSideEncryption"] == "AES256"
    assert s3.head_object(Bucket=bucket, Key="secret")["ServerSideEncryption"] == "AES256"
    # A range decrypts only what it returns, across chunk boundaries.
    if size > 70_000:
        part = s3.get_object(Bucket=bucket, Key="secret", Range="bytes=65530-131080")["Body"].read()
        assert part == body[65530:131081]
    assert not on_disk(oosd.data_dir, phrase)
    # The same scan finds an unencrypted object: the check above could fail.
    s3.put_object(Bucket=bucket, Key="plain", Body=body)
    assert on_disk(oosd.data_dir, phrase)


def test_sse_c_needs_the_key_for_every_read(oosd, s3, bucket):
    body, phrase = marker(100_000)
    put = s3.put_object(Bucket=bucket, Key="c", Body=body, **SSE_C)
    md5 = base64.b64encode(hashlib.md5(KEY).digest()).decode()
    assert put["SSECustomerAlgorithm"] == "AES256"
    assert put["SSECustomerKeyMD5"] == md5
    assert "ServerSideEncryption" not in put
    got = s3.get_object(Bucket=bucket, Key="c", **SSE_C)
    assert got["Body"].read() == body
    assert got["SSECustomerKeyMD5"] == md5
    assert s3.get_object(Bucket=bucket, Key="c", Range="bytes=99990-", **SSE_C)["Body"].read() == body[99990:]
    assert s3.head_object(Bucket=bucket, Key="c", **SSE_C)["ContentLength"] == len(body)
    no_key = "The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object."
    refused(lambda: s3.get_object(Bucket=bucket, Key="c"), "InvalidRequest", 400, no_key)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.head_object(Bucket=bucket, Key="c")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    refused(lambda: s3.get_object(Bucket=bucket, Key="c", SSECustomerAlgorithm="AES256",
                                  SSECustomerKey=OTHER_KEY), "AccessDenied", 403)
    refused(lambda: s3.get_object_attributes(Bucket=bucket, Key="c", ObjectAttributes=["ObjectSize"]),
            "InvalidRequest", 400)
    # botocore leaves this operation's key to the caller to encode.
    encoded = {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": base64.b64encode(KEY).decode(),
               "SSECustomerKeyMD5": md5}
    assert s3.get_object_attributes(Bucket=bucket, Key="c", ObjectAttributes=["ObjectSize"],
                                    **encoded)["ObjectSize"] == len(body)
    assert not on_disk(oosd.data_dir, phrase)
    # The key itself is never stored.
    assert not on_disk(oosd.data_dir, KEY)


def test_sse_c_header_errors_are_awss(s3, bucket):
    key_b64 = base64.b64encode(KEY).decode()
    md5_b64 = base64.b64encode(hashlib.md5(KEY).digest()).decode()
    url = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "bad"})

    def put(headers):
        return http("PUT", url, b"x", headers)

    cases = [
        ({"x-amz-server-side-encryption-customer-key": key_b64,
          "x-amz-server-side-encryption-customer-key-MD5": md5_b64}, "InvalidArgument"),
        ({"x-amz-server-side-encryption-customer-algorithm": "AES256",
          "x-amz-server-side-encryption-customer-key-MD5": md5_b64}, "InvalidArgument"),
        ({"x-amz-server-side-encryption-customer-algorithm": "AES256",
          "x-amz-server-side-encryption-customer-key": key_b64}, "InvalidArgument"),
        ({"x-amz-server-side-encryption-customer-algorithm": "AES256",
          "x-amz-server-side-encryption-customer-key": key_b64,
          "x-amz-server-side-encryption-customer-key-MD5": base64.b64encode(b"0" * 16).decode()}, "InvalidArgument"),
        ({"x-amz-server-side-encryption-customer-algorithm": "AES128",
          "x-amz-server-side-encryption-customer-key": key_b64,
          "x-amz-server-side-encryption-customer-key-MD5": md5_b64}, "InvalidEncryptionAlgorithmError"),
        ({"x-amz-server-side-encryption-customer-algorithm": "AES256",
          "x-amz-server-side-encryption-customer-key": base64.b64encode(b"short").decode(),
          "x-amz-server-side-encryption-customer-key-MD5": base64.b64encode(hashlib.md5(b"short").digest()).decode()},
         "InvalidArgument"),
    ]
    for headers, code in cases:
        r = put(headers)
        assert r.status_code == 400, (headers, r.text)
        assert f"<Code>{code}</Code>" in r.text, (headers, r.text)
    # SSE-C together with another mode.
    refused(lambda: s3.put_object(Bucket=bucket, Key="bad", Body=b"x", ServerSideEncryption="AES256", **SSE_C),
            "InvalidArgument", 400)
    with pytest.raises(botocore.exceptions.ClientError):
        s3.head_object(Bucket=bucket, Key="bad")
    # A customer key offered for an object that has none.
    s3.put_object(Bucket=bucket, Key="plain", Body=b"1")
    refused(lambda: s3.get_object(Bucket=bucket, Key="plain", **SSE_C), "InvalidRequest", 400,
            "The encryption parameters are not applicable to this object.")
    # A read needs no key MD5 (AWS).
    s3.put_object(Bucket=bucket, Key="c", Body=b"secret", **SSE_C)
    r = raw_get(s3, bucket, "c", {"x-amz-server-side-encryption-customer-algorithm": "AES256",
                                        "x-amz-server-side-encryption-customer-key": key_b64})
    assert r.status_code == 200 and r.content == b"secret"


def test_bad_encryption_requests_are_refused_and_store_nothing(s3, bucket):
    refused(lambda: s3.put_object(Bucket=bucket, Key="k", Body=b"x", ServerSideEncryption="aws:kms:dsse"),
            "NotImplemented", 501)
    url = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "k"})
    r = http("PUT", url, b"x", {"x-amz-server-side-encryption": "AES512"})
    assert r.status_code == 400 and "<Code>InvalidArgument</Code>" in r.text
    r = http("PUT", url, b"x", {"x-amz-server-side-encryption": "AES256",
                              "x-amz-server-side-encryption-aws-kms-key-id": "k"})
    assert r.status_code == 400 and "<Code>InvalidArgument</Code>" in r.text
    refused(lambda: s3.put_object(Bucket=bucket, Key="k", Body=b"x", ServerSideEncryption="aws:kms",
                                  SSEKMSKeyId="no-such-key"), "KMS.NotFoundException", 400)
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_kms_keys_from_the_command_line_and_the_admin_api(oosd, s3, bucket):
    created = kms_cmd(oosd, "create-key", "--alias", "alias/app-" + bucket, "--description", "for tests")
    key_id = created["key_id"]
    assert created["enabled"] is True and "material" not in created
    status, via_api = admin_call(oosd.endpoint, "POST", "/_admin/kms/keys",
                                 body=json.dumps({"description": "from the API"}).encode())
    assert status == 200, via_api
    listed = [k["key_id"] for k in kms_cmd(oosd, "list-keys")]
    assert key_id in listed and via_api["key_id"] in listed

    body, phrase = marker(150_000)
    put = s3.put_object(Bucket=bucket, Key="k", Body=body, ServerSideEncryption="aws:kms", SSEKMSKeyId=key_id)
    assert put["ServerSideEncryption"] == "aws:kms"
    assert put["SSEKMSKeyId"] == key_id
    # The alias names the same key; the answer echoes what the client named.
    put = s3.put_object(Bucket=bucket, Key="k2", Body=b"by alias", ServerSideEncryption="aws:kms",
                        SSEKMSKeyId="alias/app-" + bucket)
    assert put["SSEKMSKeyId"] == "alias/app-" + bucket
    got = s3.get_object(Bucket=bucket, Key="k")
    assert got["Body"].read() == body and got["SSEKMSKeyId"] == key_id
    assert not on_disk(oosd.data_dir, phrase)

    # A disabled key opens nothing and seals nothing; enabling it again restores both.
    kms_cmd(oosd, "disable-key", key_id)
    refused(lambda: s3.get_object(Bucket=bucket, Key="k"), "KMS.DisabledException", 400)
    refused(lambda: s3.put_object(Bucket=bucket, Key="k3", Body=b"x", ServerSideEncryption="aws:kms",
                                  SSEKMSKeyId=key_id), "KMS.DisabledException", 400)
    status, _ = admin_call(oosd.endpoint, "POST", f"/_admin/kms/keys/{key_id}/enable")
    assert status == 200
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == body


def test_aws_kms_without_a_key_id_uses_the_default_key(oosd, s3, bucket):
    put = s3.put_object(Bucket=bucket, Key="d", Body=b"default", ServerSideEncryption="aws:kms",
                        BucketKeyEnabled=True)
    assert put["ServerSideEncryption"] == "aws:kms"
    assert put["BucketKeyEnabled"] is True
    default = [k for k in kms_cmd(oosd, "list-keys") if k["alias"] == "alias/aws/s3"]
    assert len(default) == 1 and put["SSEKMSKeyId"] == default[0]["key_id"]
    head = s3.head_object(Bucket=bucket, Key="d")
    assert head["SSEKMSKeyId"] == default[0]["key_id"] and head["BucketKeyEnabled"] is True
    context = base64.b64encode(json.dumps({"app": "tests"}).encode()).decode()
    url = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "ctx"})
    r = http("PUT", url, b"with context", {
        "x-amz-server-side-encryption": "aws:kms", "x-amz-server-side-encryption-context": context})
    assert r.status_code == 200, r.text
    assert r.headers["x-amz-server-side-encryption-context"] == context
    assert s3.get_object(Bucket=bucket, Key="ctx")["Body"].read() == b"with context"
    r = http("PUT", url, b"x", {
        "x-amz-server-side-encryption": "aws:kms", "x-amz-server-side-encryption-context": "not json"})
    assert r.status_code == 400 and "<Code>InvalidArgument</Code>" in r.text


def test_bucket_default_encryption(oosd, s3, bucket):
    refused(lambda: s3.get_bucket_encryption(Bucket=bucket),
            "ServerSideEncryptionConfigurationNotFoundError", 404)
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    body, phrase = marker(50_000)
    put = s3.put_object(Bucket=bucket, Key="by-default", Body=body)
    assert put["ServerSideEncryption"] == "AES256"
    assert s3.get_object(Bucket=bucket, Key="by-default")["Body"].read() == body
    assert not on_disk(oosd.data_dir, phrase)
    # A request's own choice wins over the default.
    assert s3.put_object(Bucket=bucket, Key="own", Body=b"x", **SSE_C)["SSECustomerAlgorithm"] == "AES256"

    key_id = kms_cmd(oosd, "create-key")["key_id"]
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_id},
                   "BucketKeyEnabled": True}]})
    rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"] == key_id
    assert rule["BucketKeyEnabled"] is True
    put = s3.put_object(Bucket=bucket, Key="kms-default", Body=b"x")
    assert put["ServerSideEncryption"] == "aws:kms" and put["SSEKMSKeyId"] == key_id

    refused(lambda: s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256", "KMSMasterKeyID": key_id}}]}),
        "InvalidArgument", 400)
    refused(lambda: s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "ROT13"}}]}), "MalformedXML", 400)
    s3.delete_bucket_encryption(Bucket=bucket)
    refused(lambda: s3.get_bucket_encryption(Bucket=bucket),
            "ServerSideEncryptionConfigurationNotFoundError", 404)
    assert "ServerSideEncryption" not in s3.put_object(Bucket=bucket, Key="plain-again", Body=b"x")


def test_multipart_uploads_encrypt_every_part(oosd, s3, bucket):
    p1, phrase = marker(5 * 1024 * 1024 + 7)
    p2 = os.urandom(70_000)
    for name, create_args, part_args in [
        ("sse-c", SSE_C, SSE_C),
        ("sse-s3", {"ServerSideEncryption": "AES256"}, {}),
    ]:
        up = s3.create_multipart_upload(Bucket=bucket, Key=name, **create_args)
        if name == "sse-c":
            assert up["SSECustomerAlgorithm"] == "AES256"
            # A part without the upload's key is refused; a part with another key too.
            refused(lambda: s3.upload_part(Bucket=bucket, Key=name, UploadId=up["UploadId"], PartNumber=1,
                                           Body=b"x"), "InvalidRequest", 400)
            refused(lambda: s3.upload_part(Bucket=bucket, Key=name, UploadId=up["UploadId"], PartNumber=1, Body=b"x",
                                           SSECustomerAlgorithm="AES256", SSECustomerKey=OTHER_KEY),
                    "InvalidArgument", 400)
        else:
            assert up["ServerSideEncryption"] == "AES256"
        parts = []
        for n, data in [(1, p1), (2, p2)]:
            r = s3.upload_part(Bucket=bucket, Key=name, UploadId=up["UploadId"], PartNumber=n, Body=data, **part_args)
            parts.append({"PartNumber": n, "ETag": r["ETag"]})
        done = s3.complete_multipart_upload(Bucket=bucket, Key=name, UploadId=up["UploadId"],
                                            MultipartUpload={"Parts": parts})
        if name == "sse-s3":
            assert done["ServerSideEncryption"] == "AES256"
        whole = p1 + p2
        assert s3.get_object(Bucket=bucket, Key=name, **part_args)["Body"].read() == whole
        # A range across the parts' boundary, and one part by number.
        got = s3.get_object(Bucket=bucket, Key=name, Range="bytes=5242000-5243000", **part_args)["Body"].read()
        assert got == whole[5242000:5243001]
        assert s3.get_object(Bucket=bucket, Key=name, PartNumber=2, **part_args)["Body"].read() == p2
    assert not on_disk(oosd.data_dir, phrase)


def test_copies_reencrypt_as_the_request_says(s3, bucket):
    body = os.urandom(120_000)
    s3.put_object(Bucket=bucket, Key="src", Body=body, **SSE_C)
    # The source of a copy needs its key.
    refused(lambda: s3.copy_object(Bucket=bucket, Key="dst", CopySource=f"{bucket}/src"), "InvalidRequest", 400)
    # SSE-C source → SSE-S3 copy.
    r = s3.copy_object(Bucket=bucket, Key="dst", CopySource=f"{bucket}/src", ServerSideEncryption="AES256",
                       **COPY_SSE_C)
    assert r["ServerSideEncryption"] == "AES256"
    assert s3.get_object(Bucket=bucket, Key="dst")["Body"].read() == body
    # SSE-C source → SSE-C copy under another key.
    s3.copy_object(Bucket=bucket, Key="dst2", CopySource=f"{bucket}/src", SSECustomerAlgorithm="AES256",
                   SSECustomerKey=OTHER_KEY, **COPY_SSE_C)
    assert s3.get_object(Bucket=bucket, Key="dst2", SSECustomerAlgorithm="AES256",
                         SSECustomerKey=OTHER_KEY)["Body"].read() == body
    # A copy without encryption headers is not encrypted because its source was (S3).
    r = s3.copy_object(Bucket=bucket, Key="dst3", CopySource=f"{bucket}/dst")
    assert "ServerSideEncryption" not in r
    assert s3.get_object(Bucket=bucket, Key="dst3")["Body"].read() == body
    # Encrypting an object in place is a legal copy onto itself.
    s3.put_object(Bucket=bucket, Key="inplace", Body=b"was plain")
    s3.copy_object(Bucket=bucket, Key="inplace", CopySource=f"{bucket}/inplace", ServerSideEncryption="AES256")
    assert s3.head_object(Bucket=bucket, Key="inplace")["ServerSideEncryption"] == "AES256"
    # UploadPartCopy from an SSE-C source into an SSE-S3 upload.
    up = s3.create_multipart_upload(Bucket=bucket, Key="mpcopy", ServerSideEncryption="AES256")["UploadId"]
    r = s3.upload_part_copy(Bucket=bucket, Key="mpcopy", UploadId=up, PartNumber=1, CopySource=f"{bucket}/src",
                            CopySourceRange="bytes=100-99999", **COPY_SSE_C)
    s3.complete_multipart_upload(Bucket=bucket, Key="mpcopy", UploadId=up, MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": r["CopyPartResult"]["ETag"]}]})
    assert s3.get_object(Bucket=bucket, Key="mpcopy")["Body"].read() == body[100:100000]


def test_form_upload_with_encryption_fields(oosd, s3, bucket):
    body, phrase = marker(30_000)
    post = s3.generate_presigned_post(bucket, "form", Fields={"x-amz-server-side-encryption": "AES256"},
                                      Conditions=[{"x-amz-server-side-encryption": "AES256"}])
    form, content_type = urllib3.encode_multipart_formdata(
        list(post["fields"].items()) + [("file", ("f.bin", body, "application/octet-stream"))])
    r = http("POST", post["url"], form, {"Content-Type": content_type})
    assert r.status_code == 204, r.text
    assert r.headers["x-amz-server-side-encryption"] == "AES256"
    head = s3.head_object(Bucket=bucket, Key="form")
    assert head["ServerSideEncryption"] == "AES256"
    assert s3.get_object(Bucket=bucket, Key="form")["Body"].read() == body
    assert not on_disk(oosd.data_dir, phrase)


def test_bucket_level_requests_with_encryption_headers_are_refused(s3, bucket):
    url = s3.generate_presigned_url("list_objects_v2", Params={"Bucket": bucket})
    r = http("GET", url, headers={"x-amz-server-side-encryption": "AES256"})
    assert r.status_code == 501 and "<Code>NotImplemented</Code>" in r.text


def test_tampered_ciphertext_is_an_error_never_wrong_bytes(fresh_dir):
    """Flip one stored byte of an encrypted inline object (kept in the metadata database,
    where no shard checksum guards it): the read fails; it never returns other bytes."""
    srv = Oosd(fresh_dir / "data").start()
    try:
        s3 = srv.client()
        s3.create_bucket(Bucket="tamper")
        s3.put_object(Bucket="tamper", Key="obj", Body=b"A" * 1000, ServerSideEncryption="AES256")
        s3.put_object(Bucket="tamper", Key="ok", Body=b"B" * 1000, ServerSideEncryption="AES256")
    finally:
        srv.stop()
    db = sqlite3.connect(fresh_dir / "data" / "meta.sqlite")
    (blob,) = db.execute("SELECT inline FROM objects WHERE key = ?", (b"obj",)).fetchone()
    assert len(blob) == 20 + 1000 + 16 and b"A" * 16 not in blob
    flipped = bytearray(blob)
    flipped[500] ^= 0x01
    db.execute("UPDATE objects SET inline = ? WHERE key = ?", (bytes(flipped), b"obj"))
    db.commit()
    db.close()
    srv = Oosd(fresh_dir / "data").start()
    try:
        s3 = srv.client()
        refused(lambda: s3.get_object(Bucket="tamper", Key="obj"), "InternalError", 500)
        assert s3.get_object(Bucket="tamper", Key="ok")["Body"].read() == b"B" * 1000
    finally:
        srv.stop()


def test_encrypted_objects_survive_a_restart_and_need_the_master_key(fresh_dir):
    srv = Oosd(fresh_dir / "data").start()
    body = os.urandom(300_000)
    try:
        s3 = srv.client()
        s3.create_bucket(Bucket="restart")
        s3.put_object(Bucket="restart", Key="s3", Body=body, ServerSideEncryption="AES256")
        s3.put_object(Bucket="restart", Key="kms", Body=body, ServerSideEncryption="aws:kms")
    finally:
        srv.stop(sig="kill")
    assert (fresh_dir / "data" / "master.key").stat().st_mode & 0o077 == 0
    srv = Oosd(fresh_dir / "data").start()
    try:
        s3 = srv.client()
        assert s3.get_object(Bucket="restart", Key="s3")["Body"].read() == body
        assert s3.get_object(Bucket="restart", Key="kms")["Body"].read() == body
    finally:
        srv.stop()


def test_customer_keys_over_plain_http_can_be_refused(fresh_dir):
    (fresh_dir / "oosd.toml").write_text('sse_c_plain_http = "never"\n')
    srv = Oosd(fresh_dir / "data", config=fresh_dir / "oosd.toml").start()
    try:
        s3 = srv.client()
        s3.create_bucket(Bucket="tls-only")
        refused(lambda: s3.put_object(Bucket="tls-only", Key="c", Body=b"x", **SSE_C), "InvalidRequest", 400,
                "Requests specifying Server Side Encryption with Customer provided keys must be made over a secure connection.")
        # SSE-S3 carries no key: fine over HTTP.
        s3.put_object(Bucket="tls-only", Key="s", Body=b"x", ServerSideEncryption="AES256")
    finally:
        srv.stop()
