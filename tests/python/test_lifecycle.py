"""Bucket lifecycle over the wire: PUT / GET / DELETE ?lifecycle with boto3 (both the current
and the guide's older API), S3's validation errors, `x-amz-expiration` on GET and HEAD, and the
background worker, watched by advancing a test clock (`test_clock = true`)."""

import datetime
import hashlib
import os
import pathlib
import re
import shutil
import tempfile
import time
import uuid

import botocore
import pytest

from accounts_helpers import advance_clock as advance
from conftest import Oosd, error_code

DAY = datetime.timedelta(days=1)


@pytest.fixture(scope="module")
def server():
    d = tempfile.mkdtemp(prefix="oosd-lc-")
    cfg = f"{d}/oosd.toml"
    with open(cfg, "w") as f:
        f.write("test_clock = true\n")
    srv = Oosd(f"{d}/data", config=cfg).start()
    yield srv
    srv.stop()
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="module")
def s3(server):
    return server.client()


@pytest.fixture
def bkt(s3):
    name = "lc-" + uuid.uuid4().hex[:16]
    s3.create_bucket(Bucket=name)
    return name


def wait_until(cond, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if cond():
            return True
        time.sleep(0.3)
    return cond()


def keys(s3, bucket, prefix=""):
    out = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        out += [o["Key"] for o in page.get("Contents", [])]
    return out


def rule(rid, prefix, days=1, status="Enabled"):
    return {"ID": rid, "Filter": {"Prefix": prefix}, "Status": status, "Expiration": {"Days": days}}


def put_rules(s3, bucket, rules):
    return s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": rules})


def client_error(fn, *args, **kw):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        fn(*args, **kw)
    return e


# ---------- configuration ----------

def test_put_get_delete(s3, bkt):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_bucket_lifecycle_configuration(Bucket=bkt)
    assert error_code(e) == "NoSuchLifecycleConfiguration"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404

    put_rules(s3, bkt, [
        rule("logs", "logs/", days=30),
        {"ID": "dated", "Filter": {"Prefix": "tmp/"}, "Status": "Disabled",
         "Expiration": {"Date": datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc)},
         "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7}},
        {"ID": "and", "Filter": {"And": {"Prefix": "big/", "ObjectSizeGreaterThan": 1000}},
         "Status": "Enabled", "Expiration": {"Days": 2}},
        {"Filter": {"Prefix": ""}, "Status": "Enabled", "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 3}},
    ])
    got = s3.get_bucket_lifecycle_configuration(Bucket=bkt)["Rules"]
    assert got[0] == rule("logs", "logs/", days=30)
    assert got[1]["Status"] == "Disabled"
    assert got[1]["Expiration"]["Date"] == datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc)
    assert got[1]["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 7}
    assert got[2]["Filter"] == {"And": {"Prefix": "big/", "ObjectSizeGreaterThan": 1000}}
    # A rule without an ID gets a generated one.
    assert re.fullmatch(r"[A-Za-z0-9]{32}", got[3]["ID"])
    assert got[3]["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 3}

    # PUT replaces the whole configuration.
    put_rules(s3, bkt, [rule("only", "x/")])
    assert [r["ID"] for r in s3.get_bucket_lifecycle_configuration(Bucket=bkt)["Rules"]] == ["only"]

    resp = s3.delete_bucket_lifecycle(Bucket=bkt)
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert error_code(client_error(s3.get_bucket_lifecycle_configuration, Bucket=bkt)) == \
        "NoSuchLifecycleConfiguration"
    # Deleting again is fine (S3).
    assert s3.delete_bucket_lifecycle(Bucket=bkt)["ResponseMetadata"]["HTTPStatusCode"] == 204


def test_guide_older_api(s3, bkt):
    """The SDK guide's put_bucket_lifecycle: Prefix directly in the rule."""
    s3.put_bucket_lifecycle(Bucket=bkt, LifecycleConfiguration={"Rules": [
        {"ID": "guide", "Prefix": "photos/", "Status": "Enabled", "Expiration": {"Days": 5}},
        {"ID": "guide-date", "Prefix": "docs/", "Status": "Enabled",
         "Expiration": {"Date": datetime.datetime(2031, 6, 1)}},
    ]})
    old = s3.get_bucket_lifecycle(Bucket=bkt)["Rules"]
    assert old[0] == {"ID": "guide", "Prefix": "photos/", "Status": "Enabled", "Expiration": {"Days": 5}}
    assert old[1]["Expiration"]["Date"].date() == datetime.date(2031, 6, 1)
    # The newer API reads the same document (the rule-level Prefix is kept as sent).
    new = s3.get_bucket_lifecycle_configuration(Bucket=bkt)["Rules"]
    assert new[0]["Prefix"] == "photos/"


def test_only_the_owner(server, s3, bkt):
    from accounts_helpers import create_account, s3_for
    other = create_account(server, "lc-other-" + uuid.uuid4().hex[:6])
    o = s3_for(server, other["access_key"], other["secret_key"])
    assert error_code(client_error(put_rules, o, bkt, [rule("r", "a/")])) == "AccessDenied"
    put_rules(s3, bkt, [rule("r", "a/")])
    assert error_code(client_error(o.get_bucket_lifecycle_configuration, Bucket=bkt)) == "AccessDenied"
    assert error_code(client_error(o.delete_bucket_lifecycle, Bucket=bkt)) == "AccessDenied"


@pytest.mark.parametrize("rules,code,message", [
    ([{"ID": "d", "Filter": {"Prefix": ""}, "Status": "Enabled",
       "Expiration": {"Date": datetime.datetime(2030, 1, 1, 12, 0, tzinfo=datetime.timezone.utc)}}],
     "InvalidArgument", "'Date' must be at midnight GMT"),
    ([rule("zero", "", days=0)], "InvalidArgument", "positive integer"),
    ([rule("neg", "", days=-3)], "InvalidArgument", "positive integer"),
    ([rule("same", "a/"), rule("same", "b/")], "InvalidArgument", "unique"),
    ([rule(f"r{i}", f"p{i}/") for i in range(1001)], "MalformedXML", None),
    ([rule("i" * 256, "")], "InvalidArgument", "255"),
    ([{"ID": "noaction", "Filter": {"Prefix": ""}, "Status": "Enabled"}], "InvalidRequest",
     "At least one action"),
    ([{"ID": "t", "Filter": {"Tag": {"Key": "aws:k", "Value": "v"}}, "Status": "Enabled",
       "Expiration": {"Days": 1}}], "InvalidTag", "aws:"),
    ([{"ID": "t2", "Filter": {"And": {"Tags": [{"Key": "k", "Value": "1"}, {"Key": "k", "Value": "2"}]}},
       "Status": "Enabled", "Expiration": {"Days": 1}}], "InvalidRequest", "Duplicate Tag Keys"),
    ([{"ID": "abort0", "Filter": {"Prefix": ""}, "Status": "Enabled",
       "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 0}}], "InvalidArgument", "DaysAfterInitiation"),
    # Transitions: S3's rules and messages; OOS targets are STANDARD_IA and EC_N_M.
    ([{"ID": "tr", "Filter": {"Prefix": ""}, "Status": "Enabled",
       "Transitions": [{"Date": datetime.datetime(2030, 1, 1, 12, 0, tzinfo=datetime.timezone.utc),
                        "StorageClass": "STANDARD_IA"}]}],
     "InvalidArgument", "'Date' must be at midnight GMT"),
    ([{"ID": "tr", "Filter": {"Prefix": ""}, "Status": "Enabled",
       "Transitions": [{"Days": 1, "StorageClass": "STANDARD_IA"}]}], "InvalidArgument",
     "'Days' in Transition action must be greater than or equal to 30 for storageClass 'STANDARD_IA'"),
    ([{"ID": "tr", "Filter": {"Prefix": ""}, "Status": "Enabled",
       "Transitions": [{"Days": -1, "StorageClass": "EC_2_1"}]}], "InvalidArgument",
     "'Days' in Transition action must be nonnegative"),
    ([{"ID": "tr", "Filter": {"Prefix": ""}, "Status": "Enabled",
       "Transitions": [{"StorageClass": "EC_2_1"}]}], "InvalidArgument",
     "'Transition' action must specify either 'Days' or 'Date'"),
    ([{"ID": "tr", "Filter": {"Prefix": ""}, "Status": "Enabled",
       "Transitions": [{"Days": 40, "StorageClass": "GLACIER"}]}], "InvalidStorageClass", "no GLACIER tier"),
    ([{"ID": "tr", "Filter": {"Prefix": ""}, "Status": "Enabled",
       "Transitions": [{"Days": 40, "StorageClass": "STANDARD"}]}], "MalformedXML", None),
    ([{"ID": "tr", "Filter": {"Prefix": ""}, "Status": "Enabled",
       "Transitions": [{"Days": 40, "StorageClass": "EC_9_9"}]}], "InvalidStorageClass", "needs 18 disks"),
    ([{"ID": "tr", "Filter": {"Prefix": "logs/"}, "Status": "Enabled", "Expiration": {"Days": 30},
       "Transitions": [{"Days": 30, "StorageClass": "STANDARD_IA"}]}], "InvalidArgument",
     "'Days' in the Expiration action for filter '(prefix=logs/)' must be greater than 'Days' in the Transition action"),
    ([{"ID": "tr", "Filter": {"Prefix": "logs/"}, "Status": "Enabled",
       "Expiration": {"Date": datetime.datetime(2031, 1, 1, tzinfo=datetime.timezone.utc)},
       "Transitions": [{"Days": 30, "StorageClass": "STANDARD_IA"}]}], "InvalidRequest",
     "Found mixed 'Date' and 'Days' based Expiration and Transition actions in lifecycle rule for filter '(prefix=logs/)'"),
    ([{"ID": "nvt", "Filter": {"Prefix": ""}, "Status": "Enabled",
       "NoncurrentVersionTransitions": [{"NoncurrentDays": 10, "StorageClass": "STANDARD_IA"}]}],
     "InvalidArgument",
     "'NoncurrentDays' in NoncurrentVersionTransition action must be greater than or equal to 30 for storageClass 'STANDARD_IA'"),
])
def test_validation(s3, bkt, rules, code, message):
    e = client_error(put_rules, s3, bkt, rules)
    assert error_code(e) == code
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    if message:
        assert message in e.value.response["Error"]["Message"]
    # Nothing was stored.
    assert error_code(client_error(s3.get_bucket_lifecycle_configuration, Bucket=bkt)) == \
        "NoSuchLifecycleConfiguration"


def test_thousand_rules_accepted(s3, bkt):
    put_rules(s3, bkt, [rule(f"r{i}", f"p{i}/") for i in range(1000)])
    assert len(s3.get_bucket_lifecycle_configuration(Bucket=bkt)["Rules"]) == 1000


def tamper(client, event, fn):
    client.meta.events.register(event, fn)
    return lambda: client.meta.events.unregister(event, fn)


def test_integrity_header_required(server, bkt):
    s3 = server.client()

    def strip(request, **kw):
        for h in list(request.headers.keys()):
            if h.lower().startswith("x-amz-checksum") or h.lower() in ("content-md5", "x-amz-sdk-checksum-algorithm"):
                del request.headers[h]

    undo = tamper(s3, "before-sign.s3.PutBucketLifecycleConfiguration", strip)
    try:
        e = client_error(put_rules, s3, bkt, [rule("r", "")])
    finally:
        undo()
    assert error_code(e) == "InvalidRequest"
    assert e.value.response["Error"]["Message"] == "Missing required header for this request: Content-MD5"

    def wrong_md5(request, **kw):
        strip(request)
        request.headers["Content-MD5"] = "1B2M2Y8AsgTpgAmY7PhCfg=="  # MD5 of the empty string

    undo = tamper(s3, "before-sign.s3.PutBucketLifecycleConfiguration", wrong_md5)
    try:
        e = client_error(put_rules, s3, bkt, [rule("r", "")])
    finally:
        undo()
    assert error_code(e) == "BadDigest"


# ---------- x-amz-expiration ----------

EXPIRATION = re.compile(r'expiry-date="(\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT)", rule-id="([^"]*)"')


def parse_expiration(value):
    m = EXPIRATION.fullmatch(value)
    assert m, value
    when = datetime.datetime.strptime(m.group(1), "%a, %d %b %Y %H:%M:%S GMT")
    return when.replace(tzinfo=datetime.timezone.utc), m.group(2)


def test_expiration_header_days(s3, bkt):
    put_rules(s3, bkt, [
        rule("off", "a/", days=1, status="Disabled"),
        rule("short-lived", "a/", days=3),
        rule("other", "b/", days=1),
    ])
    s3.put_object(Bucket=bkt, Key="a/one", Body=b"1")
    s3.put_object(Bucket=bkt, Key="c/none", Body=b"1")
    head = s3.head_object(Bucket=bkt, Key="a/one")
    get = s3.get_object(Bucket=bkt, Key="a/one")
    assert head["Expiration"] == get["Expiration"]
    when, rid = parse_expiration(head["Expiration"])
    assert rid == "short-lived"
    # Last modified + 3 days, rounded up to the next midnight UTC.
    lm = head["LastModified"]
    expected = datetime.datetime.combine((lm + 3 * DAY).date() + DAY, datetime.time(), datetime.timezone.utc)
    assert when == expected
    assert (when.hour, when.minute, when.second) == (0, 0, 0)
    assert "Expiration" not in s3.head_object(Bucket=bkt, Key="c/none")
    assert "Expiration" not in s3.get_object(Bucket=bkt, Key="c/none")


def test_expiration_header_date_and_size(s3, bkt):
    put_rules(s3, bkt, [
        {"ID": "by date", "Filter": {"Prefix": "d/"}, "Status": "Enabled",
         "Expiration": {"Date": datetime.datetime(2040, 2, 29, tzinfo=datetime.timezone.utc)}},
        {"ID": "big", "Filter": {"And": {"Prefix": "s/", "ObjectSizeGreaterThan": 3}},
         "Status": "Enabled", "Expiration": {"Days": 1}},
    ])
    s3.put_object(Bucket=bkt, Key="d/x", Body=b"1")
    exp = s3.head_object(Bucket=bkt, Key="d/x")["Expiration"]
    # The rule ID is URL-encoded (OOS).
    assert exp == 'expiry-date="Wed, 29 Feb 2040 00:00:00 GMT", rule-id="by%20date"'
    s3.put_object(Bucket=bkt, Key="s/small", Body=b"123")
    s3.put_object(Bucket=bkt, Key="s/large", Body=b"1234")
    assert "Expiration" not in s3.head_object(Bucket=bkt, Key="s/small")
    assert parse_expiration(s3.head_object(Bucket=bkt, Key="s/large")["Expiration"])[1] == "big"
    s3.delete_bucket_lifecycle(Bucket=bkt)
    assert "Expiration" not in s3.head_object(Bucket=bkt, Key="d/x")


# ---------- the worker ----------

def test_worker_expires_and_aborts(server, s3, bkt):
    put_rules(s3, bkt, [
        rule("expire-old", "old/", days=1),
        rule("disabled", "keep-disabled/", days=1, status="Disabled"),
        rule("later", "later/", days=10),
        {"ID": "dated", "Filter": {"Prefix": "dated/"}, "Status": "Enabled",
         "Expiration": {"Date": datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc)}},
        {"ID": "abort", "Filter": {"Prefix": "mp/"}, "Status": "Enabled",
         "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}},
    ])
    for i in range(25):
        s3.put_object(Bucket=bkt, Key=f"old/{i:02}", Body=b"x" * i)
    for prefix in ("keep-disabled/", "later/", "other/"):
        s3.put_object(Bucket=bkt, Key=prefix + "k", Body=b"k")
    stale = s3.create_multipart_upload(Bucket=bkt, Key="mp/stale")["UploadId"]
    s3.upload_part(Bucket=bkt, Key="mp/stale", UploadId=stale, PartNumber=1, Body=b"p" * 1024)
    elsewhere = s3.create_multipart_upload(Bucket=bkt, Key="other/upload")["UploadId"]

    # A Date in the past expires matching objects without any clock change.
    s3.put_object(Bucket=bkt, Key="dated/x", Body=b"d")
    assert wait_until(lambda: keys(s3, bkt, "dated/") == []), "the Date rule did not expire dated/x"
    # Nothing is due yet for the Days rules.
    assert len(keys(s3, bkt, "old/")) == 25

    advance(server, 2 * 86400)  # Days + 1
    assert wait_until(lambda: keys(s3, bkt, "old/") == []), keys(s3, bkt, "old/")
    assert wait_until(lambda: [u["Key"] for u in s3.list_multipart_uploads(Bucket=bkt).get("Uploads", [])]
                      == ["other/upload"])
    assert error_code(client_error(s3.list_parts, Bucket=bkt, Key="mp/stale", UploadId=stale)) == "NoSuchUpload"
    assert keys(s3, bkt) == ["keep-disabled/k", "later/k", "other/k"]
    s3.abort_multipart_upload(Bucket=bkt, Key="other/upload", UploadId=elsewhere)

    # The 10-day rule's object stays until its own time comes.
    time.sleep(3)
    assert "later/k" in keys(s3, bkt)
    advance(server, 9 * 86400)
    assert wait_until(lambda: "later/k" not in keys(s3, bkt))
    assert keys(s3, bkt) == ["keep-disabled/k", "other/k"]


def test_worker_handles_more_than_a_batch(server, s3, bkt):
    """1500 expired keys: two listing pages and two delete transactions."""
    import concurrent.futures
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: s3.put_object(Bucket=bkt, Key=f"bulk/{i:05}", Body=b""), range(1500)))
    put_rules(s3, bkt, [rule("bulk", "bulk/", days=1)])
    advance(server, 2 * 86400)
    assert wait_until(lambda: keys(s3, bkt, "bulk/") == [], timeout=30)


def test_tag_filters_select_by_tags(server, s3, bkt):
    """A rule with a Tag filter expires only objects carrying that tag (and the header says
    so); an And of prefix and tags needs all of them."""
    put_rules(s3, bkt, [
        {"ID": "tmp", "Filter": {"Tag": {"Key": "temporary", "Value": "yes"}}, "Status": "Enabled",
         "Expiration": {"Days": 1}},
        {"ID": "both", "Filter": {"And": {"Prefix": "logs/", "Tags": [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}]}},
         "Status": "Enabled", "Expiration": {"Days": 1}},
    ])
    got = s3.get_bucket_lifecycle_configuration(Bucket=bkt)["Rules"]
    assert got[0]["Filter"] == {"Tag": {"Key": "temporary", "Value": "yes"}}
    assert got[1]["Filter"]["And"]["Tags"] == [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}]
    s3.put_object(Bucket=bkt, Key="scratch", Body=b"x", Tagging="temporary=yes")
    s3.put_object(Bucket=bkt, Key="keep", Body=b"x", Tagging="temporary=no")
    s3.put_object(Bucket=bkt, Key="logs/both", Body=b"x", Tagging="a=1&b=2&c=3")
    s3.put_object(Bucket=bkt, Key="logs/one", Body=b"x", Tagging="a=1")
    s3.put_object(Bucket=bkt, Key="other/both", Body=b"x", Tagging="a=1&b=2")
    assert 'rule-id="tmp"' in s3.head_object(Bucket=bkt, Key="scratch")["Expiration"]
    assert "Expiration" not in s3.head_object(Bucket=bkt, Key="keep")
    # Tagging later makes an object match.
    s3.put_object_tagging(Bucket=bkt, Key="logs/one", Tagging={"TagSet": [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}]})
    advance(server, 2 * 86400)
    assert wait_until(lambda: keys(s3, bkt) == ["keep", "other/both"]), keys(s3, bkt)


def versions_of(s3, bucket, prefix):
    page = s3.list_object_versions(Bucket=bucket, Prefix=prefix)
    out = [(v["VersionId"], v["IsLatest"], False) for v in page.get("Versions", [])]
    out += [(m["VersionId"], m["IsLatest"], True) for m in page.get("DeleteMarkers", [])]
    return sorted(out, key=lambda v: not v[1])


def test_versioned_bucket_lifecycle(own_clock):
    """NoncurrentVersionExpiration with NewerNoncurrentVersions, Expiration adding a delete
    marker, and ExpiredObjectDeleteMarker removing markers left alone."""
    server, s3, bkt = own_clock, own_clock.client(), "lcv"
    s3.create_bucket(Bucket=bkt)
    s3.put_bucket_versioning(Bucket=bkt, VersioningConfiguration={"Status": "Enabled"})
    old = [s3.put_object(Bucket=bkt, Key="nc/k", Body=b"%d" % i)["VersionId"] for i in range(4)]
    cur = s3.put_object(Bucket=bkt, Key="cur/k", Body=b"c")["VersionId"]
    gone = s3.put_object(Bucket=bkt, Key="dm/k", Body=b"d")["VersionId"]
    s3.delete_object(Bucket=bkt, Key="dm/k")
    s3.delete_object(Bucket=bkt, Key="dm/k", VersionId=gone)  # the marker is alone now
    s3.put_object(Bucket=bkt, Key="dm/kept", Body=b"k")
    s3.delete_object(Bucket=bkt, Key="dm/kept")  # a marker above a version: not alone
    put_rules(s3, bkt, [
        {"ID": "nc", "Filter": {"Prefix": "nc/"}, "Status": "Enabled",
         "NoncurrentVersionExpiration": {"NoncurrentDays": 1, "NewerNoncurrentVersions": 1}},
        {"ID": "cur", "Filter": {"Prefix": "cur/"}, "Status": "Enabled", "Expiration": {"Days": 1}},
        {"ID": "dm", "Filter": {"Prefix": "dm/"}, "Status": "Enabled",
         "Expiration": {"ExpiredObjectDeleteMarker": True}},
    ])
    got = {r["ID"]: r for r in s3.get_bucket_lifecycle_configuration(Bucket=bkt)["Rules"]}
    assert got["nc"]["NoncurrentVersionExpiration"] == {"NoncurrentDays": 1, "NewerNoncurrentVersions": 1}
    assert got["dm"]["Expiration"] == {"ExpiredObjectDeleteMarker": True}
    # The lone marker goes at once; the one above a version stays.
    def marker_keys():
        return [m["Key"] for m in s3.list_object_versions(Bucket=bkt, Prefix="dm/").get("DeleteMarkers", [])]
    assert wait_until(lambda: marker_keys() == ["dm/kept"]), marker_keys()
    assert len(versions_of(s3, bkt, "nc/")) == 4

    advance(server, 2 * 86400)
    # Noncurrent for more than a day: all but the newest noncurrent one go.
    assert wait_until(lambda: [v[0] for v in versions_of(s3, bkt, "nc/")] == [old[3], old[2]]), \
        versions_of(s3, bkt, "nc/")
    assert s3.get_object(Bucket=bkt, Key="nc/k", VersionId=old[2])["Body"].read() == b"2"
    # Expiration on a versioned bucket keeps the data as a noncurrent version under a marker.
    assert wait_until(lambda: [(v[1], v[2]) for v in versions_of(s3, bkt, "cur/")] == [(True, True), (False, False)])
    assert s3.get_object(Bucket=bkt, Key="cur/k", VersionId=cur)["Body"].read() == b"c"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.put_bucket_lifecycle_configuration(Bucket=bkt, LifecycleConfiguration={"Rules": [
            {"ID": "bad", "Filter": {"Prefix": ""}, "Status": "Enabled",
             "NoncurrentVersionExpiration": {"NoncurrentDays": 1, "NewerNoncurrentVersions": 101}}]})
    assert error_code(e) == "InvalidArgument"


# ---------- transitions (tiering) ----------

@pytest.fixture
def tiering():
    """A server of its own (its clock moves) on a six-disk pool where STANDARD is a single
    copy and STANDARD_IA is EC_4_2, so a transition really re-encodes the data."""
    d = pathlib.Path(tempfile.mkdtemp(prefix="oosd-tier-"))
    disks = [d / f"disk{i}" for i in range(6)]
    for disk in disks:
        disk.mkdir()
    cfg = d / "oosd.toml"
    cfg.write_text("test_clock = true\ngc_grace_seconds = 1\n[[pool]]\nname = \"tier\"\n"
                   "disks = [" + ", ".join(f'"{p}"' for p in disks) + "]\n"
                   'classes = { STANDARD = "EC_1_0", STANDARD_IA = "EC_4_2" }\n')
    srv = Oosd(d / "meta", config=cfg).start()
    srv.disks = disks
    yield srv
    srv.stop()
    shutil.rmtree(d, ignore_errors=True)


def shards_by_data_id(server):
    """{data id: number of shard files} over the pool's disks."""
    out = {}
    for disk in server.disks:
        for f in disk.glob("data/[0-9a-f][0-9a-f]/*"):
            data_id = f.name.split(".")[0]
            out[data_id] = out.get(data_id, 0) + 1
    return out


def head(s3, bucket, key, **kw):
    return s3.head_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED", **kw)


def kept_attributes(h):
    """What a transition must not change."""
    return (h["ETag"], h["ContentLength"], h["LastModified"], h["ContentType"], h.get("Metadata"),
            h.get("ChecksumCRC64NVME"), h.get("VersionId"), h.get("ContentDisposition"))


def test_transition_to_standard_ia_reencodes_and_collects_old_data(tiering):
    s3, bkt = tiering.client(), "tier"
    s3.create_bucket(Bucket=bkt)
    body = os.urandom(300_000)
    s3.put_object(Bucket=bkt, Key="cold/a", Body=body, ContentType="application/x-test",
                  ContentDisposition="inline", Metadata={"color": "blue"}, Tagging="t=1", ACL="public-read")
    s3.put_object(Bucket=bkt, Key="cold/small", Body=b"tiny")  # inline: no layout
    s3.put_object(Bucket=bkt, Key="hot/b", Body=os.urandom(200_000))
    before = head(s3, bkt, "cold/a")
    acl_before = s3.get_object_acl(Bucket=bkt, Key="cold/a")["Grants"]
    assert "StorageClass" not in before
    ids_before = shards_by_data_id(tiering)
    assert sorted(ids_before.values()) == [1, 1], ids_before  # two single copies
    rules = [{"ID": "ia", "Filter": {"Prefix": "cold/"}, "Status": "Enabled",
              "Transitions": [{"Days": 30, "StorageClass": "STANDARD_IA"}],
              "Expiration": {"Days": 400}}]
    put_rules(s3, bkt, rules)
    got = s3.get_bucket_lifecycle_configuration(Bucket=bkt)["Rules"]
    assert got[0]["Transitions"] == [{"Days": 30, "StorageClass": "STANDARD_IA"}]
    assert got[0]["Expiration"] == {"Days": 400}
    time.sleep(3)  # a pass or two: nothing is due yet
    assert "StorageClass" not in head(s3, bkt, "cold/a")

    advance(tiering, 31 * 86400)
    assert wait_until(lambda: head(s3, bkt, "cold/a").get("StorageClass") == "STANDARD_IA")
    after = head(s3, bkt, "cold/a")
    assert kept_attributes(after) == kept_attributes(before)
    assert s3.get_object(Bucket=bkt, Key="cold/a")["Body"].read() == body
    assert s3.get_object_tagging(Bucket=bkt, Key="cold/a")["TagSet"] == [{"Key": "t", "Value": "1"}]
    assert s3.get_object_acl(Bucket=bkt, Key="cold/a")["Grants"] == acl_before
    listed = {o["Key"]: o for o in s3.list_objects_v2(Bucket=bkt)["Contents"]}
    assert listed["cold/a"]["StorageClass"] == "STANDARD_IA"
    assert listed["hot/b"]["StorageClass"] == "STANDARD"
    # Inline data stays inline; only its class changes.
    assert wait_until(lambda: head(s3, bkt, "cold/small").get("StorageClass") == "STANDARD_IA")
    assert s3.get_object(Bucket=bkt, Key="cold/small")["Body"].read() == b"tiny"
    assert "StorageClass" not in head(s3, bkt, "hot/b")
    # The old single copy is collected; the new data is six EC_4_2 shards.
    assert wait_until(lambda: len(shards_by_data_id(tiering)) == 2), shards_by_data_id(tiering)
    ids_after = shards_by_data_id(tiering)
    moved = set(ids_after) - set(ids_before)
    assert len(moved) == 1 and ids_after[moved.pop()] == 6, ids_after
    # The expiry date still counts from the original modification time.
    assert "Expiration" in head(s3, bkt, "cold/a")


def test_multipart_object_transitions_part_by_part(tiering):
    s3, bkt = tiering.client(), "tier-mp"
    s3.create_bucket(Bucket=bkt)
    parts = [os.urandom(5 * 1024 * 1024), os.urandom(1024 * 1024 + 7)]
    up = s3.create_multipart_upload(Bucket=bkt, Key="mp", ContentType="video/x-test")["UploadId"]
    done = [{"PartNumber": i + 1, "ETag": s3.upload_part(Bucket=bkt, Key="mp", UploadId=up, PartNumber=i + 1,
                                                         Body=p)["ETag"]} for i, p in enumerate(parts)]
    s3.complete_multipart_upload(Bucket=bkt, Key="mp", UploadId=up, MultipartUpload={"Parts": done})
    before = head(s3, bkt, "mp")
    assert before["ETag"].endswith('-2"')
    ids_before = shards_by_data_id(tiering)
    assert sorted(ids_before.values()) == [1, 1]
    put_rules(s3, bkt, [{"ID": "ec", "Filter": {"Prefix": ""}, "Status": "Enabled",
                         "Transitions": [{"Days": 0, "StorageClass": "EC_2_1"}]}])
    advance(tiering, 2 * 86400)
    assert wait_until(lambda: head(s3, bkt, "mp").get("StorageClass") == "EC_2_1")
    assert kept_attributes(head(s3, bkt, "mp")) == kept_attributes(before)
    assert s3.get_object(Bucket=bkt, Key="mp")["Body"].read() == b"".join(parts)
    part1 = s3.get_object(Bucket=bkt, Key="mp", PartNumber=1)
    assert part1["ContentLength"] == len(parts[0]) and part1["Body"].read() == parts[0]
    assert hashlib.md5(s3.get_object(Bucket=bkt, Key="mp", Range="bytes=5242870-5242889")["Body"].read()).digest() \
        == hashlib.md5(b"".join(parts)[5242870:5242890]).digest()
    # Each part is now three EC_2_1 shards; the single copies are collected.
    assert wait_until(lambda: sorted(shards_by_data_id(tiering).values()) == [3, 3]), shards_by_data_id(tiering)
    assert not set(shards_by_data_id(tiering)) & set(ids_before)


def test_transition_date_in_the_past_moves_at_once(tiering):
    s3, bkt = tiering.client(), "tier-date"
    s3.create_bucket(Bucket=bkt)
    s3.put_object(Bucket=bkt, Key="d/x", Body=os.urandom(100_000))
    s3.put_object(Bucket=bkt, Key="other", Body=os.urandom(100_000))
    put_rules(s3, bkt, [{"ID": "past", "Filter": {"Prefix": "d/"}, "Status": "Enabled",
                         "Transitions": [{"Date": datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc),
                                          "StorageClass": "STANDARD_IA"}]}])
    got = s3.get_bucket_lifecycle_configuration(Bucket=bkt)["Rules"][0]["Transitions"]
    assert got == [{"Date": datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc), "StorageClass": "STANDARD_IA"}]
    assert wait_until(lambda: head(s3, bkt, "d/x").get("StorageClass") == "STANDARD_IA")
    # An object written later under the prefix moves too; others stay.
    s3.put_object(Bucket=bkt, Key="d/later", Body=os.urandom(100_000))
    assert wait_until(lambda: head(s3, bkt, "d/later").get("StorageClass") == "STANDARD_IA")
    assert "StorageClass" not in head(s3, bkt, "other")


def test_noncurrent_version_transition(tiering):
    s3, bkt = tiering.client(), "tier-nc"
    s3.create_bucket(Bucket=bkt)
    s3.put_bucket_versioning(Bucket=bkt, VersioningConfiguration={"Status": "Enabled"})
    bodies = [os.urandom(50_000) for _ in range(3)]
    ids = [s3.put_object(Bucket=bkt, Key="k", Body=b)["VersionId"] for b in bodies]
    put_rules(s3, bkt, [{"ID": "nvt", "Filter": {"Prefix": ""}, "Status": "Enabled",
                         "NoncurrentVersionTransitions": [
                             {"NoncurrentDays": 1, "NewerNoncurrentVersions": 1, "StorageClass": "EC_2_1"}]}])
    got = s3.get_bucket_lifecycle_configuration(Bucket=bkt)["Rules"][0]
    assert got["NoncurrentVersionTransitions"] == [
        {"NoncurrentDays": 1, "NewerNoncurrentVersions": 1, "StorageClass": "EC_2_1"}]

    def classes():
        versions = s3.list_object_versions(Bucket=bkt)["Versions"]
        return {v["VersionId"]: v["StorageClass"] for v in versions}

    time.sleep(3)
    assert set(classes().values()) == {"STANDARD"}
    advance(tiering, 3 * 86400)
    # The oldest version moves; the newest noncurrent one is kept, the current one untouched.
    assert wait_until(lambda: classes()[ids[0]] == "EC_2_1"), classes()
    time.sleep(3)
    assert classes() == {ids[0]: "EC_2_1", ids[1]: "STANDARD", ids[2]: "STANDARD"}
    for vid, body in zip(ids, bodies):
        assert s3.get_object(Bucket=bkt, Key="k", VersionId=vid)["Body"].read() == body
    assert head(s3, bkt, "k", VersionId=ids[0])["StorageClass"] == "EC_2_1"
    assert s3.get_object(Bucket=bkt, Key="k")["VersionId"] == ids[2]
