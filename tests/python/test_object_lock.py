"""Object Lock over the wire with boto3: bucket configuration, default retention on every
write path, retention and legal hold per version, what they refuse (deletes, shortening,
mode changes), the governance bypass and who may use it, and expiry on the server clock."""

import base64
import datetime
import hashlib
import json
import time
import uuid

import botocore.exceptions
import pytest
from botocore.config import Config

from accounts_helpers import advance_clock as advance, create_account, s3_for
from conftest import error_code

UTC = datetime.timezone.utc
FAR = datetime.datetime(2030, 2, 1, tzinfo=UTC)
FARTHER = datetime.datetime(2030, 4, 1, tzinfo=UTC)


def status(excinfo):
    return excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"]


def refused(fn, **kw):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        fn(**kw)
    return status(e), error_code(e)


def lock_bucket(s3, default=None):
    name = "l-" + uuid.uuid4().hex[:16]
    s3.create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
    if default:
        s3.put_object_lock_configuration(Bucket=name, ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": default}})
    return name


def test_bucket_created_with_object_lock(s3):
    b = lock_bucket(s3)
    # Object Lock turns versioning on, for good.
    assert s3.get_bucket_versioning(Bucket=b)["Status"] == "Enabled"
    assert s3.get_object_lock_configuration(Bucket=b)["ObjectLockConfiguration"] == {"ObjectLockEnabled": "Enabled"}
    assert refused(s3.put_bucket_versioning, Bucket=b,
                   VersioningConfiguration={"Status": "Suspended"}) == (409, "InvalidBucketState")
    assert s3.get_bucket_versioning(Bucket=b)["Status"] == "Enabled"
    s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})


def test_lock_configuration_round_trip_and_errors(s3, bucket):
    # A plain bucket has no configuration, and gets one only once versioning is enabled.
    assert refused(s3.get_object_lock_configuration, Bucket=bucket) == (404, "ObjectLockConfigurationNotFoundError")
    conf = {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}}
    assert refused(s3.put_object_lock_configuration, Bucket=bucket,
                   ObjectLockConfiguration=conf) == (409, "InvalidBucketState")
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object_lock_configuration(Bucket=bucket, ObjectLockConfiguration=conf)
    assert s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"] == conf
    years = {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Years": 2}}}
    s3.put_object_lock_configuration(Bucket=bucket, ObjectLockConfiguration=years)
    assert s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"] == years
    bad = [
        ({"Mode": "GOVERNANCE", "Days": 1, "Years": 1}, "MalformedXML"),
        ({"Mode": "GOVERNANCE"}, "MalformedXML"),
        ({"Mode": "governance", "Days": 1}, "MalformedXML"),
        ({"Mode": "invalid", "Days": 1}, "MalformedXML"),
        ({"Mode": "GOVERNANCE", "Days": 0}, "InvalidArgument"),
        ({"Mode": "GOVERNANCE", "Years": -1}, "InvalidArgument"),
        ({"Mode": "GOVERNANCE", "Days": 36501}, "InvalidArgument"),
    ]
    for retention, code in bad:
        c = {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": retention}}
        assert refused(s3.put_object_lock_configuration, Bucket=bucket,
                       ObjectLockConfiguration=c) == (400, code), retention
    off = {"ObjectLockEnabled": "Disabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}}
    assert refused(s3.put_object_lock_configuration, Bucket=bucket,
                   ObjectLockConfiguration=off) == (400, "MalformedXML")
    # Refused documents changed nothing; and versioning can no longer be suspended.
    assert s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"] == years
    assert refused(s3.put_bucket_versioning, Bucket=bucket,
                   VersioningConfiguration={"Status": "Suspended"}) == (409, "InvalidBucketState")


def assert_governed(s3, b, key, version):
    head = s3.head_object(Bucket=b, Key=key, VersionId=version)
    assert head["ObjectLockMode"] == "GOVERNANCE"
    until = head["ObjectLockRetainUntilDate"]
    now = datetime.datetime.now(UTC)
    assert now + datetime.timedelta(hours=23) < until < now + datetime.timedelta(hours=25), until
    assert refused(s3.delete_object, Bucket=b, Key=key, VersionId=version) == (403, "AccessDenied")
    assert s3.get_object(Bucket=b, Key=key, VersionId=version)["Body"].read()


def test_default_retention_on_put_copy_and_multipart(s3, bucket):
    b = lock_bucket(s3, {"Mode": "GOVERNANCE", "Days": 1})
    v = s3.put_object(Bucket=b, Key="put", Body=b"data")["VersionId"]
    assert_governed(s3, b, "put", v)
    # A copy into the bucket gets the bucket's default; a copy out of it gets nothing.
    s3.put_object(Bucket=bucket, Key="plain", Body=b"plain")
    c = s3.copy_object(Bucket=b, Key="copied", CopySource={"Bucket": bucket, "Key": "plain"})["VersionId"]
    assert_governed(s3, b, "copied", c)
    s3.copy_object(Bucket=bucket, Key="out", CopySource={"Bucket": b, "Key": "put"})
    assert "ObjectLockMode" not in s3.head_object(Bucket=bucket, Key="out")
    up = s3.create_multipart_upload(Bucket=b, Key="mpu")["UploadId"]
    etag = s3.upload_part(Bucket=b, Key="mpu", UploadId=up, PartNumber=1, Body=b"p" * 1024)["ETag"]
    m = s3.complete_multipart_upload(Bucket=b, Key="mpu", UploadId=up, MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": etag}]})["VersionId"]
    assert_governed(s3, b, "mpu", m)
    # The owner may bypass GOVERNANCE; then the version is gone and its bytes too.
    for key, version in [("put", v), ("copied", c), ("mpu", m)]:
        r = s3.delete_object(Bucket=b, Key=key, VersionId=version, BypassGovernanceRetention=True)
        assert r["ResponseMetadata"]["HTTPStatusCode"] == 204
        assert refused(s3.head_object, Bucket=b, Key=key, VersionId=version)[0] == 404


def test_locked_writes_need_an_integrity_header(oosd):
    """S3 wants Content-MD5 or a checksum on a write that creates a locked version; a client
    that sends neither (checksums only when required) is refused and nothing is stored."""
    bare = oosd.client(request_checksum_calculation="when_required")
    b = lock_bucket(bare, {"Mode": "GOVERNANCE", "Days": 1})
    assert refused(bare.put_object, Bucket=b, Key="k", Body=b"x" * 1000) == (400, "InvalidRequest")
    assert "Versions" not in bare.list_object_versions(Bucket=b)
    up = bare.create_multipart_upload(Bucket=b, Key="k")["UploadId"]
    assert refused(bare.upload_part, Bucket=b, Key="k", UploadId=up, PartNumber=1,
                   Body=b"x" * 1000) == (400, "InvalidRequest")
    bare.abort_multipart_upload(Bucket=b, Key="k", UploadId=up)
    md5 = base64.b64encode(hashlib.md5(b"x" * 1000).digest()).decode()
    v = bare.put_object(Bucket=b, Key="k", Body=b"x" * 1000, ContentMD5=md5)["VersionId"]
    assert bare.head_object(Bucket=b, Key="k", VersionId=v)["ObjectLockMode"] == "GOVERNANCE"
    # Without a default retention, a plain write into a lock bucket needs nothing extra.
    plain = lock_bucket(bare)
    assert bare.put_object(Bucket=plain, Key="k", Body=b"y")["VersionId"]


def test_lock_headers_on_writes(s3, bucket):
    b = lock_bucket(s3)
    v = s3.put_object(Bucket=b, Key="k", Body=b"1", ObjectLockMode="COMPLIANCE",
                      ObjectLockRetainUntilDate=FAR, ObjectLockLegalHoldStatus="ON")["VersionId"]
    head = s3.head_object(Bucket=b, Key="k")
    assert (head["ObjectLockMode"], head["ObjectLockRetainUntilDate"], head["ObjectLockLegalHoldStatus"]) == \
        ("COMPLIANCE", FAR, "ON")
    got = s3.get_object(Bucket=b, Key="k", VersionId=v)
    assert got["ObjectLockMode"] == "COMPLIANCE" and got["ObjectLockLegalHoldStatus"] == "ON"
    # Explicit headers win over the bucket's default.
    up = s3.create_multipart_upload(Bucket=b, Key="m", ObjectLockMode="GOVERNANCE",
                                    ObjectLockRetainUntilDate=FARTHER)["UploadId"]
    etag = s3.upload_part(Bucket=b, Key="m", UploadId=up, PartNumber=1, Body=b"p")["ETag"]
    s3.complete_multipart_upload(Bucket=b, Key="m", UploadId=up,
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
    head = s3.head_object(Bucket=b, Key="m")
    assert (head["ObjectLockMode"], head["ObjectLockRetainUntilDate"]) == ("GOVERNANCE", FARTHER)
    assert "ObjectLockLegalHoldStatus" not in head
    c = s3.copy_object(Bucket=b, Key="c", CopySource={"Bucket": b, "Key": "k"},
                       ObjectLockLegalHoldStatus="ON")["VersionId"]
    head = s3.head_object(Bucket=b, Key="c", VersionId=c)
    assert head["ObjectLockLegalHoldStatus"] == "ON" and "ObjectLockMode" not in head
    past = datetime.datetime(2020, 1, 1, tzinfo=UTC)
    for kw, code in [
        ({"ObjectLockMode": "GOVERNANCE"}, "InvalidArgument"),
        ({"ObjectLockRetainUntilDate": FAR}, "InvalidArgument"),
        ({"ObjectLockMode": "GOVERNANCE", "ObjectLockRetainUntilDate": past}, "InvalidArgument"),
        ({"ObjectLockMode": "SOMETIMES", "ObjectLockRetainUntilDate": FAR}, "InvalidArgument"),
        ({"ObjectLockLegalHoldStatus": "MAYBE"}, "InvalidArgument"),
    ]:
        assert refused(s3.put_object, Bucket=b, Key="bad", Body=b"x", **kw) == (400, code), kw
    assert refused(s3.head_object, Bucket=b, Key="bad")[0] == 404
    # A bucket without Object Lock takes no lock at all.
    assert refused(s3.put_object, Bucket=bucket, Key="k", Body=b"x",
                   ObjectLockLegalHoldStatus="ON") == (400, "InvalidRequest")
    s3.put_object_legal_hold(Bucket=b, Key="k", VersionId=v, LegalHold={"Status": "OFF"})
    s3.put_object_legal_hold(Bucket=b, Key="c", VersionId=c, LegalHold={"Status": "OFF"})


def test_retention_changes(s3):
    b = lock_bucket(s3)
    old = s3.put_object(Bucket=b, Key="k", Body=b"old")["VersionId"]
    new = s3.put_object(Bucket=b, Key="k", Body=b"new")["VersionId"]
    assert refused(s3.get_object_retention, Bucket=b, Key="k") == (404, "NoSuchObjectLockConfiguration")
    # Without a version id the current version is meant; with one, exactly that version.
    s3.put_object_retention(Bucket=b, Key="k", Retention={"Mode": "GOVERNANCE", "RetainUntilDate": FAR})
    assert s3.get_object_retention(Bucket=b, Key="k")["Retention"] == {"Mode": "GOVERNANCE", "RetainUntilDate": FAR}
    assert refused(s3.get_object_retention, Bucket=b, Key="k", VersionId=old) == (404, "NoSuchObjectLockConfiguration")
    s3.put_object_retention(Bucket=b, Key="k", VersionId=old,
                            Retention={"Mode": "COMPLIANCE", "RetainUntilDate": FAR})
    ret = lambda v: s3.get_object_retention(Bucket=b, Key="k", VersionId=v)["Retention"]
    # Extending is always allowed.
    s3.put_object_retention(Bucket=b, Key="k", Retention={"Mode": "GOVERNANCE", "RetainUntilDate": FARTHER})
    s3.put_object_retention(Bucket=b, Key="k", VersionId=old,
                            Retention={"Mode": "COMPLIANCE", "RetainUntilDate": FARTHER})
    assert ret(old) == {"Mode": "COMPLIANCE", "RetainUntilDate": FARTHER}
    # GOVERNANCE: shortening, becoming COMPLIANCE or removal need the bypass.
    for r in [{"Mode": "GOVERNANCE", "RetainUntilDate": FAR}, {"Mode": "COMPLIANCE", "RetainUntilDate": FARTHER}, {}]:
        assert refused(s3.put_object_retention, Bucket=b, Key="k", VersionId=new, Retention=r) == (403, "AccessDenied"), r
    assert ret(new) == {"Mode": "GOVERNANCE", "RetainUntilDate": FARTHER}
    s3.put_object_retention(Bucket=b, Key="k", VersionId=new, BypassGovernanceRetention=True,
                            Retention={"Mode": "GOVERNANCE", "RetainUntilDate": FAR})
    assert ret(new) == {"Mode": "GOVERNANCE", "RetainUntilDate": FAR}
    # COMPLIANCE: never shortened, weakened or removed, bypass or not; and never deleted.
    for r in [{"Mode": "COMPLIANCE", "RetainUntilDate": FAR}, {"Mode": "GOVERNANCE", "RetainUntilDate": FARTHER}, {}]:
        for bypass in (False, True):
            assert refused(s3.put_object_retention, Bucket=b, Key="k", VersionId=old, Retention=r,
                           BypassGovernanceRetention=bypass) == (403, "AccessDenied"), (r, bypass)
    assert refused(s3.delete_object, Bucket=b, Key="k", VersionId=old,
                   BypassGovernanceRetention=True) == (403, "AccessDenied")
    assert ret(old) == {"Mode": "COMPLIANCE", "RetainUntilDate": FARTHER}
    # Removing a GOVERNANCE retention with the bypass leaves an ordinary version.
    s3.put_object_retention(Bucket=b, Key="k", VersionId=new, Retention={}, BypassGovernanceRetention=True)
    assert refused(s3.get_object_retention, Bucket=b, Key="k", VersionId=new) == (404, "NoSuchObjectLockConfiguration")
    s3.delete_object(Bucket=b, Key="k", VersionId=new)
    assert s3.get_object(Bucket=b, Key="k")["Body"].read() == b"old"
    # Bad documents.
    past = datetime.datetime(2020, 1, 1, tzinfo=UTC)
    assert refused(s3.put_object_retention, Bucket=b, Key="k",
                   Retention={"Mode": "invalid", "RetainUntilDate": FARTHER}) == (400, "MalformedXML")
    assert refused(s3.put_object_retention, Bucket=b, Key="k",
                   Retention={"Mode": "COMPLIANCE"}) == (400, "MalformedXML")
    assert refused(s3.put_object_retention, Bucket=b, Key="k", BypassGovernanceRetention=True,
                   Retention={"Mode": "GOVERNANCE", "RetainUntilDate": past}) == (400, "InvalidArgument")
    assert refused(s3.put_object_retention, Bucket=b, Key="nokey",
                   Retention={"Mode": "GOVERNANCE", "RetainUntilDate": FAR}) == (404, "NoSuchKey")


def test_retention_date_header_is_iso8601(s3):
    b = lock_bucket(s3)
    v = s3.put_object(Bucket=b, Key="k", Body=b"x")["VersionId"]
    when = (datetime.datetime.now(UTC) + datetime.timedelta(days=365)).replace(microsecond=123456)
    s3.put_object_retention(Bucket=b, Key="k", Retention={"Mode": "GOVERNANCE", "RetainUntilDate": when})
    raw = s3.head_object(Bucket=b, Key="k", VersionId=v)["ResponseMetadata"]["HTTPHeaders"]
    text = raw["x-amz-object-lock-retain-until-date"]
    assert datetime.datetime.fromisoformat(text.replace("Z", "+00:00")) == when.replace(microsecond=123000)
    s3.delete_object(Bucket=b, Key="k", VersionId=v, BypassGovernanceRetention=True)


def test_legal_hold(s3):
    b = lock_bucket(s3)
    v = s3.put_object(Bucket=b, Key="k", Body=b"x")["VersionId"]
    assert refused(s3.get_object_legal_hold, Bucket=b, Key="k") == (404, "NoSuchObjectLockConfiguration")
    s3.put_object_legal_hold(Bucket=b, Key="k", LegalHold={"Status": "ON"})
    assert s3.get_object_legal_hold(Bucket=b, Key="k")["LegalHold"] == {"Status": "ON"}
    assert s3.head_object(Bucket=b, Key="k")["ObjectLockLegalHoldStatus"] == "ON"
    # A hold stops every delete of the version, bypass or not; a delete marker is fine.
    for bypass in (False, True):
        assert refused(s3.delete_object, Bucket=b, Key="k", VersionId=v,
                       BypassGovernanceRetention=bypass) == (403, "AccessDenied")
    marker = s3.delete_object(Bucket=b, Key="k")
    assert marker["DeleteMarker"] is True
    assert s3.get_object(Bucket=b, Key="k", VersionId=v)["Body"].read() == b"x"
    assert refused(s3.put_object_legal_hold, Bucket=b, Key="k", VersionId=v,
                   LegalHold={"Status": "abc"}) == (400, "MalformedXML")
    s3.put_object_legal_hold(Bucket=b, Key="k", VersionId=v, LegalHold={"Status": "OFF"})
    assert s3.get_object_legal_hold(Bucket=b, Key="k", VersionId=v)["LegalHold"] == {"Status": "OFF"}
    s3.delete_object(Bucket=b, Key="k", VersionId=v)
    s3.delete_object(Bucket=b, Key="k", VersionId=marker["VersionId"])
    s3.delete_bucket(Bucket=b)


def test_lock_calls_on_a_bucket_without_object_lock(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    calls = [
        (s3.put_object_retention, {"Retention": {"Mode": "GOVERNANCE", "RetainUntilDate": FAR}}),
        (s3.get_object_retention, {}),
        (s3.put_object_legal_hold, {"LegalHold": {"Status": "ON"}}),
        (s3.get_object_legal_hold, {}),
    ]
    for fn, kw in calls:
        assert refused(fn, Bucket=bucket, Key="k", **kw) == (400, "InvalidRequest"), fn
        assert refused(fn, Bucket=bucket, Key="missing", **kw) == (400, "InvalidRequest"), fn


def test_delete_objects_reports_locked_versions(s3):
    b = lock_bucket(s3)
    vs = [s3.put_object(Bucket=b, Key=f"k{i}", Body=b"x")["VersionId"] for i in range(3)]
    s3.put_object_retention(Bucket=b, Key="k0", Retention={"Mode": "GOVERNANCE", "RetainUntilDate": FAR})
    s3.put_object_legal_hold(Bucket=b, Key="k1", LegalHold={"Status": "ON"})
    objects = [{"Key": f"k{i}", "VersionId": v} for i, v in enumerate(vs)]
    r = s3.delete_objects(Bucket=b, Delete={"Objects": objects})
    assert [(d["Key"], d["VersionId"]) for d in r["Deleted"]] == [("k2", vs[2])]
    assert sorted((e["Key"], e["VersionId"], e["Code"]) for e in r["Errors"]) == \
        [("k0", vs[0], "AccessDenied"), ("k1", vs[1], "AccessDenied")]
    # With the bypass, GOVERNANCE goes; the legal hold still holds.
    r = s3.delete_objects(Bucket=b, Delete={"Objects": objects[:2]}, BypassGovernanceRetention=True)
    assert [d["Key"] for d in r["Deleted"]] == ["k0"]
    assert [(e["Key"], e["Code"]) for e in r["Errors"]] == [("k1", "AccessDenied")]
    assert [v["Key"] for v in s3.list_object_versions(Bucket=b)["Versions"]] == ["k1"]
    s3.put_object_legal_hold(Bucket=b, Key="k1", LegalHold={"Status": "OFF"})


def test_governance_bypass_needs_permission(oosd, s3):
    """Another account allowed to delete versions may bypass GOVERNANCE only when a policy
    also allows s3:BypassGovernanceRetention; an explicit Deny stops even the owner."""
    acct = create_account(oosd, "lock-" + uuid.uuid4().hex[:6])
    other = s3_for(oosd, acct["access_key"], acct["secret_key"])
    b = lock_bucket(s3)
    vs = [s3.put_object(Bucket=b, Key=f"k{i}", Body=b"x")["VersionId"] for i in range(3)]
    for i in range(3):
        s3.put_object_retention(Bucket=b, Key=f"k{i}", Retention={"Mode": "GOVERNANCE", "RetainUntilDate": FAR})

    def policy(*statements):
        s3.put_bucket_policy(Bucket=b, Policy=json.dumps({"Version": "2012-10-17", "Statement": list(statements)}))

    allow_delete = {"Effect": "Allow", "Principal": {"AWS": [acct["canonical_id"]]},
                    "Action": ["s3:DeleteObjectVersion", "s3:GetObjectRetention"], "Resource": f"arn:aws:s3:::{b}/*"}
    policy(allow_delete)
    assert other.get_object_retention(Bucket=b, Key="k0")["Retention"]["Mode"] == "GOVERNANCE"
    # Lock headers on a write need the lock permissions too, not only s3:PutObject.
    writer = {"Effect": "Allow", "Principal": {"AWS": [acct["canonical_id"]]},
              "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{b}/*"}
    policy(allow_delete, writer)
    other.put_object(Bucket=b, Key="w", Body=b"plain")
    assert refused(other.put_object, Bucket=b, Key="w", Body=b"held",
                   ObjectLockLegalHoldStatus="ON") == (403, "AccessDenied")
    policy(allow_delete, writer, {"Effect": "Allow", "Principal": {"AWS": [acct["canonical_id"]]},
                                  "Action": "s3:PutObjectLegalHold", "Resource": f"arn:aws:s3:::{b}/*"})
    held = other.put_object(Bucket=b, Key="w", Body=b"held", ObjectLockLegalHoldStatus="OFF")["VersionId"]
    assert s3.head_object(Bucket=b, Key="w", VersionId=held)["ObjectLockLegalHoldStatus"] == "OFF"
    policy(allow_delete)
    assert refused(other.delete_object, Bucket=b, Key="k0", VersionId=vs[0],
                   BypassGovernanceRetention=True) == (403, "AccessDenied")
    # ACLs never grant lock operations.
    assert refused(other.put_object_retention, Bucket=b, Key="k0",
                   Retention={"Mode": "GOVERNANCE", "RetainUntilDate": FARTHER}) == (403, "AccessDenied")
    policy(allow_delete, {"Effect": "Allow", "Principal": {"AWS": [acct["canonical_id"]]},
                          "Action": "s3:BypassGovernanceRetention", "Resource": f"arn:aws:s3:::{b}/*"})
    other.delete_object(Bucket=b, Key="k0", VersionId=vs[0], BypassGovernanceRetention=True)
    # The same grant serves DeleteObjects (the policy names objects, not the bucket).
    r = other.delete_objects(Bucket=b, Delete={"Objects": [{"Key": "k2", "VersionId": vs[2]}]},
                             BypassGovernanceRetention=True)
    assert [d["Key"] for d in r["Deleted"]] == ["k2"] and not r.get("Errors"), r
    policy({"Effect": "Deny", "Principal": "*", "Action": "s3:BypassGovernanceRetention",
            "Resource": f"arn:aws:s3:::{b}/*"})
    assert refused(s3.delete_object, Bucket=b, Key="k1", VersionId=vs[1],
                   BypassGovernanceRetention=True) == (403, "AccessDenied")
    s3.delete_bucket_policy(Bucket=b)
    s3.delete_object(Bucket=b, Key="k1", VersionId=vs[1], BypassGovernanceRetention=True)
    assert {v["Key"] for v in s3.list_object_versions(Bucket=b)["Versions"]} == {"w"}


def test_retention_ends_on_the_server_clock_and_lifecycle_waits(own_clock):
    s3 = own_clock.client()
    b = lock_bucket(s3, {"Mode": "COMPLIANCE", "Days": 3})
    old = s3.put_object(Bucket=b, Key="k", Body=b"old")["VersionId"]
    s3.put_object(Bucket=b, Key="k", Body=b"new")
    s3.put_object_lock_configuration(Bucket=b, ObjectLockConfiguration={"ObjectLockEnabled": "Enabled"})
    free = s3.put_object(Bucket=b, Key="free", Body=b"1")["VersionId"]
    s3.put_object(Bucket=b, Key="free", Body=b"2")
    s3.put_bucket_lifecycle_configuration(Bucket=b, LifecycleConfiguration={"Rules": [{
        "ID": "old", "Filter": {"Prefix": ""}, "Status": "Enabled",
        "NoncurrentVersionExpiration": {"NoncurrentDays": 1}}]})
    assert refused(s3.delete_object, Bucket=b, Key="k", VersionId=old,
                   BypassGovernanceRetention=True) == (403, "AccessDenied")

    def versions(key):
        return [v["VersionId"] for v in s3.list_object_versions(Bucket=b, Prefix=key).get("Versions", [])
                if not v["IsLatest"]]

    # Two days later the old versions are due (noncurrent for a day, rounded up to midnight);
    # only the unlocked one goes.
    advance(own_clock, 49 * 3600)
    deadline = time.time() + 20
    while versions("free") and time.time() < deadline:
        time.sleep(0.3)
    assert versions("free") == []
    assert versions("k") == [old], "lifecycle must not remove a locked version"
    # Once the retention has passed the server clock, lifecycle removes it too.
    advance(own_clock, 24 * 3600)
    deadline = time.time() + 20
    while versions("k") and time.time() < deadline:
        time.sleep(0.3)
    assert versions("k") == []
    # And a COMPLIANCE version whose date has passed can be deleted by hand.
    v = s3.put_object(Bucket=b, Key="hand", Body=b"x", ObjectLockMode="COMPLIANCE",
                      ObjectLockRetainUntilDate=datetime.datetime.now(UTC) + datetime.timedelta(days=5))["VersionId"]
    assert refused(s3.delete_object, Bucket=b, Key="hand", VersionId=v)[0] == 403
    advance(own_clock, 6 * 86400)
    s3.delete_object(Bucket=b, Key="hand", VersionId=v)
