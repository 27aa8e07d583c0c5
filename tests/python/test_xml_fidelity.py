"""Request documents are read verbatim: keys, tag values and prefixes in XML arrive byte for
byte (no trimming; entity and character references resolved), whatever the document."""

import base64
import hashlib

import botocore
import pytest

from conftest import error_code

# Keys a trimming parser would confuse with each other or with nothing.
AWKWARD_KEYS = ["_", "_ ", " ", "  ", "\tt\t", "nl\n", "a&b<c>'\"", " lead", "trail "]


def tamper(client, event, fn):
    client.meta.events.register(event, fn)
    return lambda: client.meta.events.unregister(event, fn)


def send_raw_body(client, operation, body, call):
    """Runs `call` with the request body of `operation` replaced by `body` (integrity headers
    recomputed), so a test can send XML that boto3 would not write."""

    def rewrite(request, **kw):
        request.data = body
        for h in list(request.headers.keys()):
            if h.lower().startswith("x-amz-checksum") or h.lower() in ("content-md5", "x-amz-sdk-checksum-algorithm", "x-amz-acl"):
                del request.headers[h]
        request.headers["Content-MD5"] = base64.b64encode(hashlib.md5(body).digest()).decode()
        request.headers["Content-Length"] = str(len(body))

    undo = tamper(client, f"before-sign.s3.{operation}", rewrite)
    try:
        return call()
    finally:
        undo()


def keys_of(s3, bucket):
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", []))


@pytest.mark.parametrize("sig", ["s3v4", "s3"])
def test_delete_objects_deletes_exactly_the_keys_named(oosd, bucket, sig):
    s3 = oosd.client(sig)
    for k in AWKWARD_KEYS:
        s3.put_object(Bucket=bucket, Key=k, Body=k.encode())
    assert keys_of(s3, bucket) == sorted(AWKWARD_KEYS)
    doomed = ["_ ", " ", "trail "]
    r = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in doomed]})
    assert sorted(d["Key"] for d in r["Deleted"]) == sorted(doomed)
    survivors = sorted(set(AWKWARD_KEYS) - set(doomed))
    assert keys_of(s3, bucket) == survivors
    # "_" is not "_ ": it is still there, with its own bytes.
    assert s3.get_object(Bucket=bucket, Key="_")["Body"].read() == b"_"
    r = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in survivors]})
    assert sorted(d["Key"] for d in r["Deleted"]) == survivors
    assert keys_of(s3, bucket) == []


def test_delete_objects_resolves_references_and_keeps_spacing(s3, bucket):
    for k in [" x\t", "x", "a&b", "ab", "<k>"]:
        s3.put_object(Bucket=bucket, Key=k, Body=b"1")
    body = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Delete>\n  <Object><Key>&#x20;x&#9;</Key></Object>\n'
            b"  <Object><Key>a&amp;b</Key></Object>\n  <Object><Key>&lt;k&gt;</Key></Object>\n  <Quiet> true </Quiet>\n</Delete>\n")
    r = send_raw_body(s3, "DeleteObjects", body,
                      lambda: s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "placeholder"}]}))
    assert "Deleted" not in r  # Quiet, with spaces around the boolean
    assert keys_of(s3, bucket) == ["ab", "x"]


def test_delete_objects_refuses_unknown_entities(s3, bucket):
    s3.put_object(Bucket=bucket, Key="keep", Body=b"1")
    body = b"<Delete><Object><Key>&bogus;</Key></Object></Delete>"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        send_raw_body(s3, "DeleteObjects", body,
                      lambda: s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "x"}]}))
    assert error_code(e) == "MalformedXML"
    assert keys_of(s3, bucket) == ["keep"]


def test_tag_keys_and_values_round_trip_verbatim(s3, bucket):
    s3.put_object(Bucket=bucket, Key="o", Body=b"1")
    # Spaces are the only whitespace S3 allows in tags; they must survive at either end.
    tags = [{"Key": " k ", "Value": "  v  "}, {"Key": "k", "Value": " "}, {"Key": "empty", "Value": ""}]
    s3.put_object_tagging(Bucket=bucket, Key="o", Tagging={"TagSet": tags})
    got = s3.get_object_tagging(Bucket=bucket, Key="o")["TagSet"]
    assert sorted((t["Key"], t["Value"]) for t in got) == sorted((t["Key"], t["Value"]) for t in tags)
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": tags[:2]})
    got = s3.get_bucket_tagging(Bucket=bucket)["TagSet"]
    assert sorted((t["Key"], t["Value"]) for t in got) == sorted((t["Key"], t["Value"]) for t in tags[:2])


def test_complete_multipart_accepts_an_indented_document(s3, bucket):
    key = " spaced key "
    up = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    etag = s3.upload_part(Bucket=bucket, Key=key, UploadId=up, PartNumber=1, Body=b"part-one")["ETag"]
    body = ("<CompleteMultipartUpload>\n  <Part>\n    <PartNumber> 1 </PartNumber>\n"
            f"    <ETag>{etag.replace(chr(34), '&quot;')}</ETag>\n  </Part>\n</CompleteMultipartUpload>\n").encode()
    send_raw_body(s3, "CompleteMultipartUpload", body,
                  lambda: s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=up,
                                                       MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]}))
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"part-one"
    assert keys_of(s3, bucket) == [key]


def test_lifecycle_prefix_is_kept_verbatim(s3, bucket):
    rules = [{"ID": "r1", "Status": "Enabled", "Filter": {"Prefix": " logs& "}, "Expiration": {"Days": 3}}]
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": rules})
    got = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert got[0]["Filter"]["Prefix"] == " logs& "


def test_lifecycle_prefix_with_references(s3, bucket):
    body = (b"<LifecycleConfiguration><Rule><ID>r</ID><Filter><Prefix>a&amp;b&#x20;</Prefix></Filter>"
            b"<Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>")
    send_raw_body(s3, "PutBucketLifecycleConfiguration", body,
                  lambda: s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
                      {"ID": "x", "Status": "Enabled", "Filter": {"Prefix": ""}, "Expiration": {"Days": 1}}]}))
    assert s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"][0]["Filter"]["Prefix"] == "a&b "


def test_cors_values_with_references(s3, bucket):
    body = (b"<CORSConfiguration>\n <CORSRule>\n  <AllowedOrigin>https://a.example?x=1&amp;y=2</AllowedOrigin>\n"
            b"  <AllowedMethod>G&#69;T</AllowedMethod>\n </CORSRule>\n</CORSConfiguration>")
    send_raw_body(s3, "PutBucketCors", body,
                  lambda: s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [
                      {"AllowedOrigins": ["*"], "AllowedMethods": ["PUT"]}]}))
    rule = s3.get_bucket_cors(Bucket=bucket)["CORSRules"][0]
    assert rule["AllowedOrigins"] == ["https://a.example?x=1&y=2"]
    assert rule["AllowedMethods"] == ["GET"]


def test_acl_document_with_references_and_indentation(s3, bucket):
    owner = s3.get_bucket_acl(Bucket=bucket)["Owner"]["ID"]
    body = (f"<AccessControlPolicy>\n  <Owner><ID>{owner}</ID></Owner>\n  <AccessControlList>\n"
            f"    <Grant>\n      <Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"Group\">\n"
            f"        <URI>http://acs.amazonaws.com/groups/global/All&#x55;sers</URI>\n      </Grantee>\n"
            f"      <Permission>&#82;EAD</Permission>\n    </Grant>\n  </AccessControlList>\n</AccessControlPolicy>").encode()
    send_raw_body(s3, "PutBucketAcl", body, lambda: s3.put_bucket_acl(Bucket=bucket, ACL="private"))
    grants = s3.get_bucket_acl(Bucket=bucket)["Grants"]
    assert ("http://acs.amazonaws.com/groups/global/AllUsers", "READ") in [
        (g["Grantee"].get("URI"), g["Permission"]) for g in grants]
