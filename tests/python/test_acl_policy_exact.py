"""ACLs and bucket policies exactly as AWS S3 has them, over the wire with boto3: grant lists
of canned ACLs, revoking every grant, canned ACLs on copies, the object/tag/header condition
keys, the Arn operators, IfExists and set qualifiers, NotPrincipal, the action–resource check
of the multipart actions, and 403-or-404 for missing keys."""

import json
import uuid

import botocore
import pytest

from accounts_helpers import anonymous, create_account, encode_params, iam_for, s3_for
from conftest import error_code, refused

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTH_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
LOG_DELIVERY = "http://acs.amazonaws.com/groups/s3/LogDelivery"
EC2_ID = "6aa5a366c34c1cbe25dc49211496e913e0351eb0e8c37aa3477e40942ec6b97c"
NO_RESOURCE = "Action does not apply to any resource(s) in statement"


def new_bucket(s3, **kw):
    name = "ape-" + uuid.uuid4().hex[:12]
    s3.create_bucket(Bucket=name, **kw)
    return name


def policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def stmt(effect, principal, action, resource, condition=None, not_principal=False):
    st = {"Effect": effect, "NotPrincipal" if not_principal else "Principal": principal,
          "Action": action, "Resource": resource}
    if condition:
        st["Condition"] = condition
    return st


@pytest.fixture(scope="module")
def me(s3):
    return s3.list_buckets()["Owner"]["ID"]


@pytest.fixture(scope="module")
def bob(oosd):
    a = create_account(oosd, "ape-bob-" + uuid.uuid4().hex[:6])
    a["s3"] = s3_for(oosd, a["access_key"], a["secret_key"])
    return a


@pytest.fixture(scope="module")
def anon(oosd):
    return anonymous(oosd)


# ---------------------------------------------------------------- condition keys


def test_existing_object_tag_condition(s3, anon):
    b = new_bucket(s3)
    s3.put_object(Bucket=b, Key="open", Body=b"1", Tagging="classification=public")
    s3.put_object(Bucket=b, Key="closed", Body=b"2", Tagging="classification=secret")
    s3.put_object(Bucket=b, Key="untagged", Body=b"3")
    s3.put_bucket_policy(Bucket=b, Policy=policy(stmt(
        "Allow", "*", ["s3:GetObject", "s3:GetObjectTagging"], f"arn:aws:s3:::{b}/*",
        {"StringEquals": {"s3:ExistingObjectTag/classification": "public"}})))
    assert anon.get_object(Bucket=b, Key="open")["Body"].read() == b"1"
    assert anon.get_object_tagging(Bucket=b, Key="open")["TagSet"] == [
        {"Key": "classification", "Value": "public"}]
    for key in ("closed", "untagged"):
        refused(lambda: anon.get_object(Bucket=b, Key=key), "AccessDenied", 403)
        refused(lambda: anon.get_object_tagging(Bucket=b, Key=key), "AccessDenied", 403)
    # Retagging the object changes the answer.
    s3.put_object_tagging(Bucket=b, Key="closed", Tagging={"TagSet": [
        {"Key": "classification", "Value": "public"}]})
    assert anon.get_object(Bucket=b, Key="closed")["Body"].read() == b"2"


def test_request_object_tag_keys_on_put_copy_upload_and_tagging(s3, bob):
    b = new_bucket(s3)
    s3.put_object(Bucket=b, Key="src", Body=b"source")
    # Bob may write only with a Project tag, and no tag keys besides Project and Dept.
    s3.put_bucket_policy(Bucket=b, Policy=policy(
        stmt("Allow", {"AWS": bob["canonical_id"]}, ["s3:PutObject", "s3:GetObject"],
             f"arn:aws:s3:::{b}/*",
             {"ForAllValues:StringEquals": {"s3:RequestObjectTagKeys": ["Project", "Dept"]},
              "StringLike": {"s3:RequestObjectTag/Project": "*"}}),
        stmt("Allow", {"AWS": bob["canonical_id"]}, "s3:PutObjectTagging", f"arn:aws:s3:::{b}/*",
             {"StringEquals": {"s3:RequestObjectTag/Project": "apollo"}})))
    c = bob["s3"]
    c.put_object(Bucket=b, Key="ok", Body=b"1", Tagging="Project=apollo&Dept=eng")
    assert s3.get_object_tagging(Bucket=b, Key="ok")["TagSet"]
    refused(lambda: c.put_object(Bucket=b, Key="untagged", Body=b"1"), "AccessDenied", 403)
    refused(lambda: c.put_object(Bucket=b, Key="other", Body=b"1", Tagging="Project=x&Cost=1"),
            "AccessDenied", 403)
    refused(lambda: c.put_object(Bucket=b, Key="dept", Body=b"1", Tagging="Dept=eng"),
            "AccessDenied", 403)
    # CopyObject and CreateMultipartUpload carry their x-amz-tagging the same way.
    s3.put_object_acl(Bucket=b, Key="src", GrantRead=f'id="{bob["canonical_id"]}"')
    c.copy_object(Bucket=b, Key="copy", CopySource=f"{b}/src", TaggingDirective="REPLACE",
                  Tagging="Project=apollo")
    refused(lambda: c.copy_object(Bucket=b, Key="copy2", CopySource=f"{b}/src",
                                  TaggingDirective="REPLACE", Tagging="Cost=1"),
            "AccessDenied", 403)
    up = c.create_multipart_upload(Bucket=b, Key="mp", Tagging="Project=apollo")
    refused(lambda: c.create_multipart_upload(Bucket=b, Key="mp2"), "AccessDenied", 403)
    # PutObjectTagging (of the bucket owner's object: bob's own he may always tag): the tags
    # in its body.
    c.put_object_tagging(Bucket=b, Key="src", Tagging={"TagSet": [
        {"Key": "Project", "Value": "apollo"}, {"Key": "Owner", "Value": "bob"}]})
    refused(lambda: c.put_object_tagging(Bucket=b, Key="src", Tagging={"TagSet": [
        {"Key": "Project", "Value": "gemini"}]}), "AccessDenied", 403)
    refused(lambda: c.put_object_tagging(Bucket=b, Key="src", Tagging={"TagSet": []}),
            "AccessDenied", 403)
    assert {t["Key"]: t["Value"] for t in s3.get_object_tagging(Bucket=b, Key="src")["TagSet"]} == {
        "Project": "apollo", "Owner": "bob"}
    # A bad body is reported after authorization: MalformedXML only to those allowed.
    refused(lambda: c.put_object_tagging(Bucket=b, Key="src", Tagging={"TagSet": [
        {"Key": "aws:x", "Value": "1"}]}), "AccessDenied", 403)
    refused(lambda: s3.put_object_tagging(Bucket=b, Key="src", Tagging={"TagSet": [
        {"Key": "aws:x", "Value": "1"}]}), "InvalidTag", 400)
    s3.abort_multipart_upload(Bucket=b, Key="mp", UploadId=up["UploadId"])


def test_acl_and_grant_header_conditions(s3, bob, me):
    b = new_bucket(s3)
    # The classic cross-account rule: uploads must give the bucket owner full control.
    s3.put_bucket_policy(Bucket=b, Policy=policy(
        stmt("Allow", {"AWS": bob["canonical_id"]}, "s3:PutObject", f"arn:aws:s3:::{b}/*",
             {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}),
        stmt("Deny", "*", "s3:PutObject", f"arn:aws:s3:::{b}/*",
             {"StringLike": {"s3:x-amz-grant-read": "*uri=*"}})))
    c = bob["s3"]
    c.put_object(Bucket=b, Key="given", Body=b"1", ACL="bucket-owner-full-control")
    refused(lambda: c.put_object(Bucket=b, Key="plain", Body=b"1"), "AccessDenied", 403)
    refused(lambda: c.put_object(Bucket=b, Key="pub", Body=b"1", ACL="public-read"),
            "AccessDenied", 403)
    # The Deny wins, even over the owner.
    refused(lambda: s3.put_object(Bucket=b, Key="o", Body=b"1", GrantRead=f'uri="{ALL_USERS}"'),
            "AccessDenied", 403)
    s3.put_object(Bucket=b, Key="o", Body=b"1", GrantRead=f'id="{bob["canonical_id"]}"')
    full = s3.get_object_acl(Bucket=b, Key="given")["Grants"]
    assert {(g["Grantee"]["ID"], g["Permission"]) for g in full} == {
        (bob["canonical_id"], "FULL_CONTROL"), (me, "FULL_CONTROL")}


def test_if_exists_on_acl_header(s3, bob):
    b = new_bucket(s3)
    s3.put_bucket_policy(Bucket=b, Policy=policy(stmt(
        "Allow", {"AWS": bob["canonical_id"]}, "s3:PutObject", f"arn:aws:s3:::{b}/*",
        {"StringEqualsIfExists": {"s3:x-amz-acl": "bucket-owner-full-control"}})))
    c = bob["s3"]
    c.put_object(Bucket=b, Key="no-acl", Body=b"1")
    c.put_object(Bucket=b, Key="bofc", Body=b"1", ACL="bucket-owner-full-control")
    refused(lambda: c.put_object(Bucket=b, Key="pr", Body=b"1", ACL="public-read"),
            "AccessDenied", 403)


def test_encryption_required_by_policy(s3):
    b = new_bucket(s3)
    s3.put_bucket_policy(Bucket=b, Policy=policy(
        stmt("Deny", "*", "s3:PutObject", f"arn:aws:s3:::{b}/*",
             {"Null": {"s3:x-amz-server-side-encryption": "true"}}),
        stmt("Deny", "*", "s3:PutObject", f"arn:aws:s3:::{b}/*",
             {"StringEquals": {"s3:x-amz-server-side-encryption-customer-algorithm": "AES256"}})))
    refused(lambda: s3.put_object(Bucket=b, Key="k", Body=b"1"), "AccessDenied", 403)
    refused(lambda: s3.put_object(Bucket=b, Key="k", Body=b"1", SSECustomerAlgorithm="AES256",
                                  SSECustomerKey=b"k" * 32), "AccessDenied", 403)
    assert s3.put_object(Bucket=b, Key="k", Body=b"1", ServerSideEncryption="AES256")["ServerSideEncryption"] == "AES256"
    s3.delete_bucket_policy(Bucket=b)
    s3.put_object(Bucket=b, Key="k", Body=b"1")


def test_copy_source_condition(s3, bob):
    b = new_bucket(s3)
    for key in ("public/a", "private/a"):
        s3.put_object(Bucket=b, Key=key, Body=key.encode())
    s3.put_bucket_policy(Bucket=b, Policy=policy(
        stmt("Allow", {"AWS": bob["canonical_id"]}, ["s3:GetObject", "s3:PutObject"],
             f"arn:aws:s3:::{b}/*"),
        stmt("Deny", "*", "s3:PutObject", f"arn:aws:s3:::{b}/*",
             {"StringNotLike": {"s3:x-amz-copy-source": f"{b}/public/*"},
              "Null": {"s3:x-amz-copy-source": "false"}})))
    c = bob["s3"]
    c.copy_object(Bucket=b, Key="copied", CopySource=f"{b}/public/a")
    c.copy_object(Bucket=b, Key="copied2", CopySource={"Bucket": b, "Key": "public/a"})
    refused(lambda: c.copy_object(Bucket=b, Key="copied3", CopySource=f"{b}/private/a"),
            "AccessDenied", 403)
    refused(lambda: s3.copy_object(Bucket=b, Key="copied3", CopySource=f"{b}/private/a"),
            "AccessDenied", 403)
    c.put_object(Bucket=b, Key="plain", Body=b"not a copy")
    assert s3.get_object(Bucket=b, Key="copied")["Body"].read() == b"public/a"


def test_arn_operators_and_logging_target_policy(s3, bob):
    b = new_bucket(s3)
    src = new_bucket(s3)
    account = s3.list_buckets()["Owner"]["ID"]
    # The policy the S3 user guide gives a server access logging target bucket.
    logging_policy = policy({
        "Sid": "S3ServerAccessLogsPolicy", "Effect": "Allow",
        "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": ["s3:PutObject"],
        "Resource": f"arn:aws:s3:::{b}/logs/*",
        "Condition": {"ArnLike": {"aws:SourceArn": f"arn:aws:s3:::{src}"},
                      "StringEquals": {"aws:SourceAccount": account}}})
    s3.put_bucket_policy(Bucket=b, Policy=logging_policy)
    assert json.loads(s3.get_bucket_policy(Bucket=b)["Policy"]) == json.loads(logging_policy)
    assert s3.get_bucket_policy_status(Bucket=b)["PolicyStatus"]["IsPublic"] is False
    # It grants no account anything.
    refused(lambda: bob["s3"].put_object(Bucket=b, Key="logs/x", Body=b"1"), "AccessDenied", 403)
    for op in ("ArnEquals", "ArnNotEquals", "ArnNotLike", "ArnLikeIfExists", "ForAnyValue:ArnLike"):
        s3.put_bucket_policy(Bucket=b, Policy=policy(stmt(
            "Allow", "*", "s3:GetObject", f"arn:aws:s3:::{b}/*",
            {op: {"aws:SourceArn": "arn:aws:s3:::*"}})))
    # No request carries aws:SourceArn: the negated operator holds, the positive ones do not.
    s3.put_object(Bucket=b, Key="k", Body=b"v")
    s3.put_bucket_policy(Bucket=b, Policy=policy(stmt(
        "Allow", {"AWS": bob["canonical_id"]}, "s3:GetObject", f"arn:aws:s3:::{b}/*",
        {"ArnNotLike": {"aws:SourceArn": "arn:aws:s3:::*"}})))
    assert bob["s3"].get_object(Bucket=b, Key="k")["Body"].read() == b"v"
    s3.put_bucket_policy(Bucket=b, Policy=policy(stmt(
        "Allow", {"AWS": bob["canonical_id"]}, "s3:GetObject", f"arn:aws:s3:::{b}/*",
        {"ArnLike": {"aws:SourceArn": "arn:aws:s3:::*"}})))
    refused(lambda: bob["s3"].get_object(Bucket=b, Key="k"), "AccessDenied", 403)
    refused(lambda: s3.put_bucket_policy(Bucket=b, Policy=policy(stmt(
        "Allow", "*", "s3:GetObject", f"arn:aws:s3:::{b}/*",
        {"BinaryEquals": {"aws:SourceArn": "eA=="}}))), "MalformedPolicy", 400)


def test_not_principal_deny_and_unmatched_allow(s3, bob, anon, me):
    b = new_bucket(s3)
    s3.put_object(Bucket=b, Key="k", Body=b"v")
    s3.put_bucket_policy(Bucket=b, Policy=policy(
        stmt("Deny", {"AWS": me}, "s3:GetObject", f"arn:aws:s3:::{b}/*", not_principal=True),
        stmt("Allow", "*", "s3:GetObject", f"arn:aws:s3:::{b}/*")))
    assert s3.get_object(Bucket=b, Key="k")["Body"].read() == b"v"
    refused(lambda: bob["s3"].get_object(Bucket=b, Key="k"), "AccessDenied", 403)
    refused(lambda: anon.get_object(Bucket=b, Key="k"), "AccessDenied", 403)
    # An Allow whose condition does not hold (plain HTTP here) grants nothing.
    s3.put_bucket_policy(Bucket=b, Policy=policy(stmt(
        "Allow", "*", "s3:GetObject", f"arn:aws:s3:::{b}/*",
        {"Bool": {"aws:SecureTransport": "true"}})))
    refused(lambda: anon.get_object(Bucket=b, Key="k"), "AccessDenied", 403)
    refused(lambda: bob["s3"].get_object(Bucket=b, Key="k"), "AccessDenied", 403)


def test_multipart_actions_in_policies(s3, bob):
    b = new_bucket(s3)
    obj, bkt = f"arn:aws:s3:::{b}/*", f"arn:aws:s3:::{b}"
    for action, good, bad in [("s3:AbortMultipartUpload", obj, bkt),
                              ("s3:ListMultipartUploadParts", obj, bkt),
                              ("s3:ListBucketMultipartUploads", bkt, obj)]:
        s3.put_bucket_policy(Bucket=b, Policy=policy(stmt("Allow", {"AWS": bob["canonical_id"]},
                                                          action, good)))
        refused(lambda: s3.put_bucket_policy(Bucket=b, Policy=policy(stmt(
            "Allow", {"AWS": bob["canonical_id"]}, action, bad))), "MalformedPolicy", 400, NO_RESOURCE)
    # And they grant what they name.
    s3.put_bucket_policy(Bucket=b, Policy=policy(
        stmt("Allow", {"AWS": bob["canonical_id"]},
             ["s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"], obj),
        stmt("Allow", {"AWS": bob["canonical_id"]}, "s3:ListBucketMultipartUploads", bkt)))
    up = s3.create_multipart_upload(Bucket=b, Key="big")["UploadId"]
    s3.upload_part(Bucket=b, Key="big", UploadId=up, PartNumber=1, Body=b"x")
    c = bob["s3"]
    assert [u["Key"] for u in c.list_multipart_uploads(Bucket=b)["Uploads"]] == ["big"]
    assert [p["PartNumber"] for p in c.list_parts(Bucket=b, Key="big", UploadId=up)["Parts"]] == [1]
    refused(lambda: c.upload_part(Bucket=b, Key="big", UploadId=up, PartNumber=2, Body=b"y"),
            "AccessDenied", 403)
    c.abort_multipart_upload(Bucket=b, Key="big", UploadId=up)
    assert "Uploads" not in s3.list_multipart_uploads(Bucket=b)


# ---------------------------------------------------------------- missing keys


def head_status(call):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        call()
    return e.value.response["ResponseMetadata"]["HTTPStatusCode"], error_code(e)


def test_missing_key_is_404_only_to_those_who_may_list(oosd, s3, bob, anon):
    b = new_bucket(s3)
    s3.put_object(Bucket=b, Key="there", Body=b"1")
    # GetObject alone: a missing key is 403 AccessDenied (S3 hides what it may not list).
    s3.put_bucket_policy(Bucket=b, Policy=policy(stmt("Allow", "*", "s3:GetObject",
                                                      f"arn:aws:s3:::{b}/*")))
    assert anon.get_object(Bucket=b, Key="there")["Body"].read() == b"1"
    for c in (anon, bob["s3"]):
        refused(lambda: c.get_object(Bucket=b, Key="missing"), "AccessDenied", 403)
        assert head_status(lambda: c.head_object(Bucket=b, Key="missing")) == (403, "403")
    # The owner may always list.
    refused(lambda: s3.get_object(Bucket=b, Key="missing"), "NoSuchKey", 404)
    assert head_status(lambda: s3.head_object(Bucket=b, Key="missing")) == (404, "404")
    # With s3:ListBucket too: 404 NoSuchKey (HEAD: 404 without a body).
    s3.put_bucket_policy(Bucket=b, Policy=policy(
        stmt("Allow", "*", "s3:GetObject", f"arn:aws:s3:::{b}/*"),
        stmt("Allow", {"AWS": bob["canonical_id"]}, "s3:ListBucket", f"arn:aws:s3:::{b}")))
    refused(lambda: bob["s3"].get_object(Bucket=b, Key="missing"), "NoSuchKey", 404)
    assert head_status(lambda: bob["s3"].head_object(Bucket=b, Key="missing")) == (404, "404")
    refused(lambda: anon.get_object(Bucket=b, Key="missing"), "AccessDenied", 403)
    # A bucket READ grant is s3:ListBucket by ACL.
    s3.delete_bucket_policy(Bucket=b)
    s3.put_bucket_acl(Bucket=b, ACL="public-read")
    refused(lambda: anon.get_object(Bucket=b, Key="missing"), "NoSuchKey", 404)
    assert head_status(lambda: anon.head_object(Bucket=b, Key="missing")) == (404, "404")
    # A current delete marker is missing too.
    v = new_bucket(s3)
    s3.put_bucket_versioning(Bucket=v, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket=v, Key="gone", Body=b"1")
    s3.delete_object(Bucket=v, Key="gone")
    s3.put_bucket_policy(Bucket=v, Policy=policy(stmt("Allow", "*", "s3:GetObject",
                                                      f"arn:aws:s3:::{v}/*")))
    refused(lambda: anon.get_object(Bucket=v, Key="gone"), "AccessDenied", 403)
    refused(lambda: s3.get_object(Bucket=v, Key="gone"), "NoSuchKey", 404)


def test_missing_key_for_non_primary_keys(oosd, s3):
    b = new_bucket(s3)
    iam = iam_for(oosd)
    key = iam.create_access_key(Body=encode_params({"Action": "CreateAccessKey"}))[
        "CreateAccessKeyResult"]["AccessKey"]
    sub = s3_for(oosd, key["AccessKeyId"], key["SecretAccessKey"])
    # Within its own prefix a non-primary key of the owner may list: 404.
    refused(lambda: sub.get_object(Bucket=b, Key=key["AccessKeyId"] + "/missing"), "NoSuchKey", 404)
    refused(lambda: sub.get_object(Bucket=b, Key="elsewhere"), "AccessDenied", 403)


# ---------------------------------------------------------------- grant lists over the wire


def grant_list(acl):
    """The grants of a GetBucketAcl/GetObjectAcl answer as (grantee, permission) pairs, in
    order: canonical users by ID, groups by URI."""
    out = []
    for g in acl["Grants"]:
        grantee = g["Grantee"]
        if grantee["Type"] == "Group":
            assert set(grantee) == {"Type", "URI"}, grantee  # groups carry their URI alone
            out.append((grantee["URI"], g["Permission"]))
        else:
            out.append((grantee["ID"], g["Permission"]))
    return out


@pytest.mark.parametrize("canned,extra", [
    ("private", []),
    ("public-read", [(ALL_USERS, "READ")]),
    ("public-read-write", [(ALL_USERS, "READ"), (ALL_USERS, "WRITE")]),
    ("authenticated-read", [(AUTH_USERS, "READ")]),
    ("aws-exec-read", [(EC2_ID, "READ")]),
    ("log-delivery-write", [(LOG_DELIVERY, "WRITE"), (LOG_DELIVERY, "READ_ACP")]),
    # On a bucket the bucket-owner-* names grant nothing beyond the owner's own grant.
    ("bucket-owner-read", []),
    ("bucket-owner-full-control", []),
])
def test_canned_bucket_acls_are_aws_grant_lists(s3, me, canned, extra):
    b = new_bucket(s3)
    s3.put_bucket_acl(Bucket=b, ACL=canned)
    assert grant_list(s3.get_bucket_acl(Bucket=b)) == [(me, "FULL_CONTROL")] + extra
    c = new_bucket(s3, ACL=canned)
    assert grant_list(s3.get_bucket_acl(Bucket=c)) == [(me, "FULL_CONTROL")] + extra


def test_canned_object_acls_of_another_writer(s3, me, bob):
    """bucket-owner-read and bucket-owner-full-control on an object another account writes
    grant the bucket owner READ or FULL_CONTROL after the writer's own FULL_CONTROL."""
    b = new_bucket(s3)
    s3.put_bucket_acl(Bucket=b, GrantFullControl=f'id="{me}"', GrantWrite=f'id="{bob["canonical_id"]}"')
    c = bob["s3"]
    c.put_object(Bucket=b, Key="r", Body=b"1", ACL="bucket-owner-read")
    c.put_object(Bucket=b, Key="f", Body=b"2", ACL="bucket-owner-full-control")
    c.put_object(Bucket=b, Key="p", Body=b"3", ACL="public-read")
    bob_id = bob["canonical_id"]
    assert grant_list(c.get_object_acl(Bucket=b, Key="r")) == [(bob_id, "FULL_CONTROL"), (me, "READ")]
    assert grant_list(c.get_object_acl(Bucket=b, Key="f")) == [(bob_id, "FULL_CONTROL"),
                                                                (me, "FULL_CONTROL")]
    assert grant_list(c.get_object_acl(Bucket=b, Key="p")) == [(bob_id, "FULL_CONTROL"),
                                                                (ALL_USERS, "READ")]
    assert c.get_object_acl(Bucket=b, Key="r")["Owner"]["ID"] == bob_id
    # The bucket owner's own object: bucket-owner-full-control is its FULL_CONTROL alone.
    s3.put_object(Bucket=b, Key="mine", Body=b"4", ACL="bucket-owner-full-control")
    assert grant_list(s3.get_object_acl(Bucket=b, Key="mine")) == [(me, "FULL_CONTROL")]


def test_grant_lists_replace_and_an_empty_list_revokes_all(s3, me, bob, anon):
    b = new_bucket(s3)
    s3.put_object(Bucket=b, Key="k", Body=b"data", ACL="public-read")
    assert anon.get_object(Bucket=b, Key="k")["Body"].read() == b"data"
    # Grant headers replace the list as given: no owner grant is added.
    s3.put_object_acl(Bucket=b, Key="k", GrantRead=f'id="{bob["canonical_id"]}"')
    assert grant_list(s3.get_object_acl(Bucket=b, Key="k")) == [(bob["canonical_id"], "READ")]
    assert bob["s3"].get_object(Bucket=b, Key="k")["Body"].read() == b"data"
    refused(lambda: anon.get_object(Bucket=b, Key="k"), "AccessDenied", 403)
    # An AccessControlPolicy with an empty list revokes every grant.
    s3.put_object_acl(Bucket=b, Key="k", AccessControlPolicy={
        "Owner": {"ID": me}, "Grants": []})
    acl = s3.get_object_acl(Bucket=b, Key="k")
    assert acl.get("Grants", []) == [] and acl["Owner"]["ID"] == me
    refused(lambda: bob["s3"].get_object(Bucket=b, Key="k"), "AccessDenied", 403)
    # The owner keeps access by ownership.
    assert s3.get_object(Bucket=b, Key="k")["Body"].read() == b"data"
    # The same on a bucket.
    s3.put_bucket_acl(Bucket=b, AccessControlPolicy={"Owner": {"ID": me}, "Grants": []})
    assert s3.get_bucket_acl(Bucket=b).get("Grants", []) == []
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=b)["Contents"]] == ["k"]


def test_copy_object_applies_its_canned_acl(s3, me, anon):
    b = new_bucket(s3)
    s3.put_object(Bucket=b, Key="src", Body=b"copied", ACL="public-read")
    # A copy does not inherit the source's ACL: private unless the copy asks.
    s3.copy_object(Bucket=b, Key="plain", CopySource=f"{b}/src")
    assert grant_list(s3.get_object_acl(Bucket=b, Key="plain")) == [(me, "FULL_CONTROL")]
    refused(lambda: anon.get_object(Bucket=b, Key="plain"), "AccessDenied", 403)
    s3.copy_object(Bucket=b, Key="pub", CopySource=f"{b}/src", ACL="public-read-write")
    assert grant_list(s3.get_object_acl(Bucket=b, Key="pub")) == [
        (me, "FULL_CONTROL"), (ALL_USERS, "READ"), (ALL_USERS, "WRITE")]
    assert anon.get_object(Bucket=b, Key="pub")["Body"].read() == b"copied"
    # Onto itself (metadata replaced) with a new canned ACL.
    s3.copy_object(Bucket=b, Key="src", CopySource=f"{b}/src", ACL="authenticated-read",
                   MetadataDirective="REPLACE", Metadata={"m": "1"})
    assert grant_list(s3.get_object_acl(Bucket=b, Key="src")) == [
        (me, "FULL_CONTROL"), (AUTH_USERS, "READ")]
    refused(lambda: anon.get_object(Bucket=b, Key="src"), "AccessDenied", 403)
