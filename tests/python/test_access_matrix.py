"""The authorization matrix: every principal × bucket state × operation, from one table.

Principals: the owner (root), another account, a non-primary key of the owner, anonymous.
States: private, public-read, public-read-write, granted (READ, WRITE and READ_ACP to the other
account by canonical id), policy-allowed (a policy allowing the other account), policy-denied
(public-read-write ACL plus a policy denying everyone, the owner included, every object and
list action). Operations: list, get, put, delete, get-acl, put-policy.
"""

import json
import uuid

import botocore
import pytest

from accounts_helpers import anonymous, create_account, encode_params, iam_for, s3_for

OPS = ["list", "get", "put", "delete", "get-acl", "put-policy"]
PRINCIPALS = ["owner", "other", "nonprimary", "anonymous"]

# 1 = allowed, 0 = AccessDenied; columns in OPS order.
EXPECTED = {
    "private":           {"owner": "111111", "other": "000000", "nonprimary": "000000", "anonymous": "000000"},
    "public-read":       {"owner": "111111", "other": "110000", "nonprimary": "000000", "anonymous": "110000"},
    "public-read-write": {"owner": "111111", "other": "111100", "nonprimary": "000000", "anonymous": "111100"},
    "granted":           {"owner": "111111", "other": "111110", "nonprimary": "000000", "anonymous": "000000"},
    "policy-allowed":    {"owner": "111111", "other": "111110", "nonprimary": "000000", "anonymous": "000000"},
    "policy-denied":     {"owner": "000001", "other": "000000", "nonprimary": "000000", "anonymous": "000000"},
}


@pytest.fixture(scope="module")
def principals(oosd):
    owner = oosd.client()
    other_acct = create_account(oosd, "matrix-" + uuid.uuid4().hex[:6])
    iam = iam_for(oosd)
    np_key = iam.create_access_key(Body=encode_params({"Action": "CreateAccessKey"}))["CreateAccessKeyResult"]["AccessKey"]
    return {
        "owner": owner,
        "other": s3_for(oosd, other_acct["access_key"], other_acct["secret_key"]),
        "nonprimary": s3_for(oosd, np_key["AccessKeyId"], np_key["SecretAccessKey"]),
        "anonymous": anonymous(oosd),
        "_other_id": other_acct["canonical_id"],
    }


def harmless_policy(bucket, owner_id):
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": owner_id}, "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{bucket}/nothing-here"}]})


def setup_state(s3, state, bucket, other_id):
    acl = {"public-read": "public-read", "public-read-write": "public-read-write",
           "policy-denied": "public-read-write"}.get(state, "private")
    s3.create_bucket(Bucket=bucket, ACL=acl)
    s3.put_object(Bucket=bucket, Key="k", Body=b"data")
    for who in PRINCIPALS:
        s3.put_object(Bucket=bucket, Key=f"del-{who}", Body=b"x")
    if state == "granted":
        s3.put_bucket_acl(Bucket=bucket, GrantRead=f'id="{other_id}"', GrantWrite=f'id="{other_id}"',
                          GrantReadACP=f'id="{other_id}"')
    if state == "policy-allowed":
        s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": [other_id]},
            "Action": ["s3:ListBucket", "s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:GetBucketAcl"],
            "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]}]}))
    if state == "policy-denied":
        s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Deny", "Principal": "*",
            "Action": ["s3:ListBucket", "s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:GetBucketAcl"],
            "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]}]}))


def attempt(client, op, bucket, who, owner_id):
    try:
        if op == "list":
            client.list_objects(Bucket=bucket)
        elif op == "get":
            assert client.get_object(Bucket=bucket, Key="k")["Body"].read() == b"data"
        elif op == "put":
            client.put_object(Bucket=bucket, Key=f"put-{who}", Body=b"new")
        elif op == "delete":
            client.delete_object(Bucket=bucket, Key=f"del-{who}")
        elif op == "get-acl":
            assert client.get_bucket_acl(Bucket=bucket)["Owner"]["ID"] == owner_id
        elif op == "put-policy":
            client.put_bucket_policy(Bucket=bucket, Policy=harmless_policy(bucket, owner_id))
        return "1"
    except botocore.exceptions.ClientError as e:
        assert e.response["Error"]["Code"] == "AccessDenied", (op, who, e.response["Error"])
        assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 403
        return "0"


@pytest.mark.parametrize("state", list(EXPECTED))
def test_authorization_matrix(oosd, principals, state):
    owner = principals["owner"]
    owner_id = owner.list_buckets()["Owner"]["ID"]
    bucket = f"m-{state}-{uuid.uuid4().hex[:6]}"
    setup_state(owner, state, bucket, principals["_other_id"])
    got = {who: "" for who in PRINCIPALS}
    # put-policy last, the owner's very last: it replaces the state's policy.
    for op in OPS:
        order = PRINCIPALS if op != "put-policy" else ["other", "nonprimary", "anonymous", "owner"]
        for who in order:
            got[who] += attempt(principals[who], op, bucket, who, owner_id)
    assert got == EXPECTED[state]
