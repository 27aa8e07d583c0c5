"""Block Public Access, GetBucketPolicyStatus, Object Ownership and the expected bucket owner
headers, over the wire with boto3 (and aws-cli s3api once)."""

import json
import os
import pathlib
import subprocess
import sys
import uuid

import botocore
import pytest

from accounts_helpers import anonymous, create_account, s3_for
from conftest import ACCESS_KEY, SECRET_KEY, error_code, refused

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTH_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
AWS = str(pathlib.Path(sys.executable).parent / "aws")


def new_bucket(s3, **kw):
    name = "pab-" + uuid.uuid4().hex[:12]
    s3.create_bucket(Bucket=name, **kw)
    return name


def owner_id(s3, bucket):
    return s3.get_bucket_acl(Bucket=bucket)["Owner"]["ID"]


def public_read_policy(bucket, extra=None):
    st = [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
           "Resource": f"arn:aws:s3:::{bucket}/*"}]
    return json.dumps({"Version": "2012-10-17", "Statement": st + (extra or [])})


def block(s3, bucket, **flags):
    conf = {k: flags.get(k, False) for k in
            ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")}
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=conf)


@pytest.fixture(scope="module")
def bob(oosd):
    a = create_account(oosd, "pab-bob-" + uuid.uuid4().hex[:6])
    a["s3"] = s3_for(oosd, a["access_key"], a["secret_key"])
    return a


# ---------------------------------------------------------------- Block Public Access


def test_public_access_block_put_get_delete(s3, s3v2, bob):
    b = new_bucket(s3)
    refused(lambda: s3.get_public_access_block(Bucket=b), "NoSuchPublicAccessBlockConfiguration", 404)
    # A flag left out is false; GET answers all four.
    s3.put_public_access_block(Bucket=b, PublicAccessBlockConfiguration={"BlockPublicAcls": True,
                                                                          "RestrictPublicBuckets": True})
    assert s3.get_public_access_block(Bucket=b)["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True, "IgnorePublicAcls": False, "BlockPublicPolicy": False,
        "RestrictPublicBuckets": True}
    # SigV2 clients sign the sub-resource as botocore does (it leaves it out).
    assert s3v2.get_public_access_block(Bucket=b)["PublicAccessBlockConfiguration"]["BlockPublicAcls"] is True
    # The owner's alone, even with a bucket ACL granting full control.
    s3.put_bucket_acl(Bucket=b, GrantFullControl=f'id="{bob["canonical_id"]}"')
    refused(lambda: bob["s3"].get_public_access_block(Bucket=b), "AccessDenied", 403)
    refused(lambda: bob["s3"].delete_public_access_block(Bucket=b), "AccessDenied", 403)
    resp = s3.delete_public_access_block(Bucket=b)
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 204
    refused(lambda: s3.get_public_access_block(Bucket=b), "NoSuchPublicAccessBlockConfiguration", 404)
    refused(lambda: s3.get_public_access_block(Bucket="pab-missing-" + uuid.uuid4().hex[:8]), "NoSuchBucket", 404)


def test_block_public_acls_refuses_every_way_of_setting_one(s3, bob):
    b = new_bucket(s3)
    s3.put_object(Bucket=b, Key="src", Body=b"data")
    block(s3, b, BlockPublicAcls=True)
    attempts = {
        "PutBucketAcl canned": lambda: s3.put_bucket_acl(Bucket=b, ACL="public-read"),
        "PutBucketAcl grant header": lambda: s3.put_bucket_acl(Bucket=b, GrantRead=f'uri="{ALL_USERS}"'),
        "PutBucketAcl body": lambda: s3.put_bucket_acl(Bucket=b, AccessControlPolicy={
            "Owner": {"ID": owner_id(s3, b)},
            "Grants": [{"Grantee": {"Type": "Group", "URI": AUTH_USERS}, "Permission": "READ"}]}),
        "PutObject canned": lambda: s3.put_object(Bucket=b, Key="p1", Body=b"x", ACL="public-read-write"),
        "PutObject grant": lambda: s3.put_object(Bucket=b, Key="p2", Body=b"x", GrantRead=f'uri="{AUTH_USERS}"'),
        "CopyObject": lambda: s3.copy_object(Bucket=b, Key="p3", CopySource=f"{b}/src", ACL="public-read"),
        "CreateMultipartUpload": lambda: s3.create_multipart_upload(Bucket=b, Key="p4", ACL="authenticated-read"),
        "PutObjectAcl": lambda: s3.put_object_acl(Bucket=b, Key="src", ACL="public-read"),
    }
    for name, call in attempts.items():
        with pytest.raises(botocore.exceptions.ClientError) as e:
            call()
        assert error_code(e) == "AccessDenied", name
    # Nothing refused was written.
    for key in ("p1", "p2", "p3"):
        refused(lambda: s3.head_object(Bucket=b, Key=key), "404")
    assert s3.list_multipart_uploads(Bucket=b).get("Uploads", []) == []
    assert len(s3.get_bucket_acl(Bucket=b)["Grants"]) == 1
    # Non-public ACLs still go through.
    s3.put_object(Bucket=b, Key="ok", Body=b"x", ACL="private")
    s3.put_bucket_acl(Bucket=b, GrantRead=f'id="{bob["canonical_id"]}"')
    assert bob["s3"].list_objects_v2(Bucket=b)["KeyCount"] == 2
    # Without the flag the same request passes.
    s3.delete_public_access_block(Bucket=b)
    s3.put_object(Bucket=b, Key="p1", Body=b"x", ACL="public-read")


def test_ignore_public_acls_makes_public_grants_give_nothing(oosd, s3, bob):
    b = new_bucket(s3, ACL="public-read")
    s3.put_object(Bucket=b, Key="pub", Body=b"open", ACL="public-read")
    s3.put_object(Bucket=b, Key="auth", Body=b"members", ACL="authenticated-read")
    s3.put_object(Bucket=b, Key="bobs", Body=b"named", GrantRead=f'id="{bob["canonical_id"]}"')
    anon = anonymous(oosd)
    assert anon.get_object(Bucket=b, Key="pub")["Body"].read() == b"open"
    assert anon.list_objects_v2(Bucket=b)["KeyCount"] == 3
    assert bob["s3"].get_object(Bucket=b, Key="auth")["Body"].read() == b"members"
    block(s3, b, IgnorePublicAcls=True)
    refused(lambda: anon.get_object(Bucket=b, Key="pub"), "AccessDenied", 403)
    refused(lambda: anon.list_objects_v2(Bucket=b), "AccessDenied", 403)
    refused(lambda: bob["s3"].get_object(Bucket=b, Key="auth"), "AccessDenied", 403)
    # Grants to a named account are not public, and still count; the ACL itself is kept.
    assert bob["s3"].get_object(Bucket=b, Key="bobs")["Body"].read() == b"named"
    assert any(g["Grantee"].get("URI") == ALL_USERS for g in s3.get_object_acl(Bucket=b, Key="pub")["Grants"])
    s3.delete_public_access_block(Bucket=b)
    assert anon.get_object(Bucket=b, Key="pub")["Body"].read() == b"open"


def test_block_public_policy_and_policy_status(s3, bob):
    b = new_bucket(s3)
    refused(lambda: s3.get_bucket_policy_status(Bucket=b), "NoSuchBucketPolicy", 404)
    block(s3, b, BlockPublicPolicy=True)
    refused(lambda: s3.put_bucket_policy(Bucket=b, Policy=public_read_policy(b)), "AccessDenied", 403)
    refused(lambda: s3.get_bucket_policy(Bucket=b), "NoSuchBucketPolicy", 404)
    # Narrowed to a fixed network, or to a named account: not public, accepted.
    narrowed = json.loads(public_read_policy(b))
    narrowed["Statement"][0]["Condition"] = {"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}
    s3.put_bucket_policy(Bucket=b, Policy=json.dumps(narrowed))
    assert s3.get_bucket_policy_status(Bucket=b)["PolicyStatus"] == {"IsPublic": False}
    to_bob = json.loads(public_read_policy(b))
    to_bob["Statement"][0]["Principal"] = {"AWS": bob["canonical_id"]}
    s3.put_bucket_policy(Bucket=b, Policy=json.dumps(to_bob))
    assert s3.get_bucket_policy_status(Bucket=b)["PolicyStatus"] == {"IsPublic": False}
    # A referer condition can be met by anyone: still public, still refused.
    referer = json.loads(public_read_policy(b))
    referer["Statement"][0]["Condition"] = {"StringLike": {"aws:Referer": "https://example.com/*"}}
    refused(lambda: s3.put_bucket_policy(Bucket=b, Policy=json.dumps(referer)), "AccessDenied", 403)
    # Without the flag a public policy is stored and reported public.
    s3.delete_public_access_block(Bucket=b)
    s3.put_bucket_policy(Bucket=b, Policy=json.dumps(referer))
    assert s3.get_bucket_policy_status(Bucket=b)["PolicyStatus"] == {"IsPublic": True}
    refused(lambda: bob["s3"].get_bucket_policy_status(Bucket=b), "AccessDenied", 403)
    s3.delete_bucket_policy(Bucket=b)
    refused(lambda: s3.get_bucket_policy_status(Bucket=b), "NoSuchBucketPolicy", 404)


def test_restrict_public_buckets_limits_a_public_policy_to_the_owner(oosd, s3, bob):
    b = new_bucket(s3)
    s3.put_object(Bucket=b, Key="k", Body=b"v")
    to_bob = {"Effect": "Allow", "Principal": {"AWS": bob["canonical_id"]}, "Action": "s3:ListBucket",
              "Resource": f"arn:aws:s3:::{b}"}
    s3.put_bucket_policy(Bucket=b, Policy=public_read_policy(b, [to_bob]))
    anon = anonymous(oosd)
    assert anon.get_object(Bucket=b, Key="k")["Body"].read() == b"v"
    assert bob["s3"].list_objects_v2(Bucket=b)["KeyCount"] == 1
    block(s3, b, RestrictPublicBuckets=True)
    refused(lambda: anon.get_object(Bucket=b, Key="k"), "AccessDenied", 403)
    refused(lambda: bob["s3"].get_object(Bucket=b, Key="k"), "AccessDenied", 403)
    # Even the policy's non-public statement for bob is blocked while the policy is public.
    refused(lambda: bob["s3"].list_objects_v2(Bucket=b), "AccessDenied", 403)
    assert s3.get_object(Bucket=b, Key="k")["Body"].read() == b"v"
    # A policy that is not public grants again.
    s3.put_bucket_policy(Bucket=b, Policy=json.dumps({"Version": "2012-10-17", "Statement": [to_bob]}))
    assert bob["s3"].list_objects_v2(Bucket=b)["KeyCount"] == 1
    refused(lambda: anon.get_object(Bucket=b, Key="k"), "AccessDenied", 403)


# ---------------------------------------------------------------- Object Ownership


def test_ownership_controls_put_get_delete_and_validation(s3, s3v2, bob):
    b = new_bucket(s3)
    refused(lambda: s3.get_bucket_ownership_controls(Bucket=b), "OwnershipControlsNotFoundError", 404)
    for value in ("BucketOwnerPreferred", "ObjectWriter", "BucketOwnerEnforced"):
        s3.put_bucket_ownership_controls(Bucket=b, OwnershipControls={"Rules": [{"ObjectOwnership": value}]})
        got = s3.get_bucket_ownership_controls(Bucket=b)["OwnershipControls"]
        assert got == {"Rules": [{"ObjectOwnership": value}]}
    assert s3v2.get_bucket_ownership_controls(Bucket=b)["OwnershipControls"]["Rules"] == [
        {"ObjectOwnership": "BucketOwnerEnforced"}]
    s3.put_bucket_policy(Bucket=b, Policy=public_read_policy(b))
    assert s3v2.get_bucket_policy_status(Bucket=b)["PolicyStatus"] == {"IsPublic": True}
    for bad in ([{"ObjectOwnership": "BucketOwner"}],
                [{"ObjectOwnership": "ObjectWriter"}, {"ObjectOwnership": "ObjectWriter"}], []):
        refused(lambda: s3.put_bucket_ownership_controls(Bucket=b, OwnershipControls={"Rules": bad}),
                "MalformedXML", 400)
    refused(lambda: bob["s3"].get_bucket_ownership_controls(Bucket=b), "AccessDenied", 403)
    assert s3.delete_bucket_ownership_controls(Bucket=b)["ResponseMetadata"]["HTTPStatusCode"] == 204
    refused(lambda: s3.get_bucket_ownership_controls(Bucket=b), "OwnershipControlsNotFoundError", 404)
    c = new_bucket(s3, ObjectOwnership="BucketOwnerPreferred")
    assert s3.get_bucket_ownership_controls(Bucket=c)["OwnershipControls"]["Rules"] == [
        {"ObjectOwnership": "BucketOwnerPreferred"}]
    refused(lambda: s3.create_bucket(Bucket="pab-" + uuid.uuid4().hex[:12], ObjectOwnership="Mine"),
            "InvalidArgument", 400)


def test_bucket_owner_enforced_refuses_acls(s3, bob):
    b = new_bucket(s3, ObjectOwnership="BucketOwnerEnforced")
    s3.put_object(Bucket=b, Key="src", Body=b"data")
    not_supported = {
        "PutBucketAcl": lambda: s3.put_bucket_acl(Bucket=b, ACL="public-read"),
        "PutBucketAcl private": lambda: s3.put_bucket_acl(Bucket=b, ACL="private"),
        "PutObjectAcl": lambda: s3.put_object_acl(Bucket=b, Key="src", GrantRead=f'id="{bob["canonical_id"]}"'),
        "PutObject public": lambda: s3.put_object(Bucket=b, Key="a", Body=b"x", ACL="public-read"),
        "PutObject private": lambda: s3.put_object(Bucket=b, Key="a", Body=b"x", ACL="private"),
        "CopyObject": lambda: s3.copy_object(Bucket=b, Key="c", CopySource=f"{b}/src", ACL="authenticated-read"),
        "CreateMultipartUpload": lambda: s3.create_multipart_upload(
            Bucket=b, Key="m", GrantFullControl=f'id="{bob["canonical_id"]}"'),
    }
    for name, call in not_supported.items():
        with pytest.raises(botocore.exceptions.ClientError) as e:
            call()
        assert (error_code(e), e.value.response["ResponseMetadata"]["HTTPStatusCode"],
                e.value.response["Error"]["Message"]) == (
            "AccessControlListNotSupported", 400, "The bucket does not allow ACLs"), name
    # No ACL, or the bucket owner's full control, is accepted.
    s3.put_object(Bucket=b, Key="a", Body=b"x", ACL="bucket-owner-full-control")
    s3.copy_object(Bucket=b, Key="c", CopySource=f"{b}/src")
    s3.put_object_acl(Bucket=b, Key="src", ACL="bucket-owner-full-control")
    me = owner_id(s3, b)
    s3.put_bucket_acl(Bucket=b, AccessControlPolicy={
        "Owner": {"ID": me},
        "Grants": [{"Grantee": {"Type": "CanonicalUser", "ID": me}, "Permission": "FULL_CONTROL"}]})
    # Reading ACLs still works and shows the owner's FULL_CONTROL alone.
    for acl in (s3.get_bucket_acl(Bucket=b), s3.get_object_acl(Bucket=b, Key="a")):
        assert acl["Owner"]["ID"] == me
        assert [(g["Grantee"]["ID"], g["Permission"]) for g in acl["Grants"]] == [(me, "FULL_CONTROL")]


def test_acls_must_be_owner_only_to_enforce_ownership(s3):
    refused(lambda: s3.create_bucket(Bucket="pab-" + uuid.uuid4().hex[:12], ACL="public-read",
                                     ObjectOwnership="BucketOwnerEnforced"),
            "InvalidBucketAclWithObjectOwnership", 400)
    b = new_bucket(s3, ACL="public-read")
    refused(lambda: s3.put_bucket_ownership_controls(
        Bucket=b, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}),
        "InvalidBucketAclWithObjectOwnership", 400)
    s3.put_bucket_acl(Bucket=b, ACL="private")
    s3.put_bucket_ownership_controls(
        Bucket=b, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})


def test_bucket_owner_enforced_owns_what_other_accounts_write(oosd, s3, bob):
    b = new_bucket(s3)
    me = owner_id(s3, b)
    # Bob may write (ACLs are about to be disabled, so a policy grants it).
    s3.put_bucket_policy(Bucket=b, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": bob["canonical_id"]}, "Action": "s3:PutObject",
        "Resource": f"arn:aws:s3:::{b}/*"}]}))
    bob["s3"].put_object(Bucket=b, Key="before", Body=b"1")
    s3.put_object(Bucket=b, Key="pub", Body=b"open", ACL="public-read")
    # ObjectWriter: the writer owns its object.
    assert s3.get_object_acl(Bucket=b, Key="before")["Owner"]["ID"] == bob["canonical_id"]
    assert bob["s3"].get_object(Bucket=b, Key="before")["Body"].read() == b"1"
    assert anonymous(oosd).get_object(Bucket=b, Key="pub")["Body"].read() == b"open"
    s3.put_bucket_ownership_controls(
        Bucket=b, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})
    bob["s3"].put_object(Bucket=b, Key="after", Body=b"2")
    listed = {o["Key"]: o["Owner"]["ID"] for o in s3.list_objects(Bucket=b)["Contents"]}
    assert listed == {"before": me, "after": me, "pub": me}
    for key in ("before", "after"):
        acl = s3.get_object_acl(Bucket=b, Key=key)
        assert acl["Owner"]["ID"] == me
        assert [(g["Grantee"]["ID"], g["Permission"]) for g in acl["Grants"]] == [(me, "FULL_CONTROL")]
        # Bob owns nothing now and the policy grants him no read.
        refused(lambda: bob["s3"].get_object(Bucket=b, Key=key), "AccessDenied", 403)
    # ACLs no longer grant anything.
    refused(lambda: anonymous(oosd).get_object(Bucket=b, Key="pub"), "AccessDenied", 403)
    # Back to ObjectWriter: the writer's ownership and the old ACLs count again.
    s3.delete_bucket_ownership_controls(Bucket=b)
    assert s3.get_object_acl(Bucket=b, Key="before")["Owner"]["ID"] == bob["canonical_id"]
    assert anonymous(oosd).get_object(Bucket=b, Key="pub")["Body"].read() == b"open"


def test_bucket_owner_preferred_takes_objects_written_with_full_control(s3, bob):
    b = new_bucket(s3, ObjectOwnership="BucketOwnerPreferred")
    me = owner_id(s3, b)
    s3.put_bucket_acl(Bucket=b, GrantWrite=f'id="{bob["canonical_id"]}"')
    bob["s3"].put_object(Bucket=b, Key="given", Body=b"1", ACL="bucket-owner-full-control")
    bob["s3"].put_object(Bucket=b, Key="kept", Body=b"2")
    assert s3.get_object_acl(Bucket=b, Key="given")["Owner"]["ID"] == me
    kept = bob["s3"].get_object_acl(Bucket=b, Key="kept")
    assert kept["Owner"]["ID"] == bob["canonical_id"]
    assert [(g["Grantee"]["ID"], g["Permission"]) for g in kept["Grants"]] == [
        (bob["canonical_id"], "FULL_CONTROL")]
    # Bob does not own "given": without a read grant he cannot read it back.
    refused(lambda: bob["s3"].get_object(Bucket=b, Key="given"), "AccessDenied", 403)
    assert bob["s3"].get_object(Bucket=b, Key="kept")["Body"].read() == b"2"
    # Under ObjectWriter the same ACL leaves the object bob's, with the bucket owner granted.
    s3.put_bucket_ownership_controls(Bucket=b, OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]})
    bob["s3"].put_object(Bucket=b, Key="writer", Body=b"3", ACL="bucket-owner-full-control")
    acl = bob["s3"].get_object_acl(Bucket=b, Key="writer")
    assert acl["Owner"]["ID"] == bob["canonical_id"]
    assert sorted((g["Grantee"]["ID"], g["Permission"]) for g in acl["Grants"]) == sorted(
        [(bob["canonical_id"], "FULL_CONTROL"), (me, "FULL_CONTROL")])
    versions = {v["Key"]: v["Owner"]["ID"] for v in s3.list_object_versions(Bucket=b)["Versions"]}
    assert versions == {"given": me, "kept": bob["canonical_id"], "writer": bob["canonical_id"]}


# ---------------------------------------------------------------- expected bucket owner


def test_expected_bucket_owner(s3, bob):
    b = new_bucket(s3)
    me = owner_id(s3, b)
    s3.put_object(Bucket=b, Key="k", Body=b"v", ExpectedBucketOwner=me)
    assert s3.get_object(Bucket=b, Key="k", ExpectedBucketOwner=me)["Body"].read() == b"v"
    s3.head_bucket(Bucket=b, ExpectedBucketOwner=me)
    assert s3.list_objects_v2(Bucket=b, ExpectedBucketOwner=me)["KeyCount"] == 1
    wrong = bob["canonical_id"]
    refused(lambda: s3.head_bucket(Bucket=b, ExpectedBucketOwner=wrong), "403")
    refused(lambda: s3.get_object(Bucket=b, Key="k", ExpectedBucketOwner=wrong), "AccessDenied", 403)
    refused(lambda: s3.put_object(Bucket=b, Key="k2", Body=b"x", ExpectedBucketOwner=wrong), "AccessDenied", 403)
    refused(lambda: s3.list_objects_v2(Bucket=b, ExpectedBucketOwner=wrong), "AccessDenied", 403)
    refused(lambda: s3.get_bucket_acl(Bucket=b, ExpectedBucketOwner=wrong), "AccessDenied", 403)
    refused(lambda: s3.delete_object(Bucket=b, Key="k", ExpectedBucketOwner=wrong), "AccessDenied", 403)
    refused(lambda: s3.head_object(Bucket=b, Key="k2"), "404")
    # Copies check the source's owner with its own header.
    s3.copy_object(Bucket=b, Key="c", CopySource=f"{b}/k", ExpectedSourceBucketOwner=me, ExpectedBucketOwner=me)
    refused(lambda: s3.copy_object(Bucket=b, Key="c2", CopySource=f"{b}/k", ExpectedSourceBucketOwner=wrong),
            "AccessDenied", 403)
    # Only existing buckets are checked.
    refused(lambda: s3.get_object(Bucket="pab-none-" + uuid.uuid4().hex[:8], Key="k", ExpectedBucketOwner=wrong),
            "NoSuchBucket", 404)


# ---------------------------------------------------------------- aws-cli


def aws(oosd, *args):
    env = dict(os.environ, AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SECRET_KEY,
               AWS_DEFAULT_REGION="cn", AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null")
    return subprocess.run([AWS, "--endpoint-url", oosd.endpoint, "s3api", *args],
                          capture_output=True, text=True, env=env, timeout=120)


@pytest.mark.skipif(not os.path.exists(AWS), reason="aws-cli is not installed beside this Python")
def test_awscli_public_access_block_and_ownership(oosd, s3, tmp_path):
    b = new_bucket(s3)
    r = aws(oosd, "put-public-access-block", "--bucket", b, "--public-access-block-configuration",
            "BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=false")
    assert r.returncode == 0, r.stderr
    r = aws(oosd, "get-public-access-block", "--bucket", b)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
        "RestrictPublicBuckets": False}
    body = tmp_path / "body"
    body.write_bytes(b"x")
    r = aws(oosd, "put-object", "--bucket", b, "--key", "k", "--body", str(body), "--acl", "public-read")
    assert r.returncode != 0 and "AccessDenied" in r.stderr, r.stderr
    r = aws(oosd, "put-bucket-ownership-controls", "--bucket", b, "--ownership-controls",
            "Rules=[{ObjectOwnership=BucketOwnerEnforced}]")
    assert r.returncode == 0, r.stderr
    r = aws(oosd, "get-bucket-ownership-controls", "--bucket", b)
    assert json.loads(r.stdout)["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    r = aws(oosd, "put-object", "--bucket", b, "--key", "k", "--body", str(body), "--acl", "private")
    assert r.returncode != 0 and "AccessControlListNotSupported" in r.stderr, r.stderr
