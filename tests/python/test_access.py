"""ACLs, bucket policies, key scope, accounts and presigned-URL rights, over the wire."""

import json
import urllib.error
import urllib.request
import uuid

import botocore
import pytest

from accounts_helpers import account_cmd, anonymous, create_account, encode_params, iam_for, s3_for
from conftest import error_code


def new_bucket(s3, **kw):
    name = "a-" + uuid.uuid4().hex[:12]
    s3.create_bucket(Bucket=name, **kw)
    return name


@pytest.fixture(scope="module")
def bob(oosd):
    a = create_account(oosd, "bob-" + uuid.uuid4().hex[:6])
    a["s3"] = s3_for(oosd, a["access_key"], a["secret_key"])
    return a


def test_get_bucket_acl_aws_shape_and_grants_by_body(oosd, s3, bob):
    b = new_bucket(s3)
    acl = s3.get_bucket_acl(Bucket=b)
    owner_id = acl["Owner"]["ID"]
    assert acl["Owner"]["DisplayName"] == "root"
    assert acl["Grants"] == [{"Grantee": {"ID": owner_id, "DisplayName": "root", "Type": "CanonicalUser"},
                              "Permission": "FULL_CONTROL"}]
    with pytest.raises(botocore.exceptions.ClientError):
        bob["s3"].list_objects(Bucket=b)
    s3.put_bucket_acl(Bucket=b, AccessControlPolicy={
        "Owner": {"ID": owner_id},
        "Grants": [{"Grantee": {"Type": "CanonicalUser", "ID": bob["canonical_id"]}, "Permission": "READ"}]})
    grants = s3.get_bucket_acl(Bucket=b)["Grants"]
    assert {"Grantee": {"ID": bob["canonical_id"], "DisplayName": bob["account"], "Type": "CanonicalUser"},
            "Permission": "READ"} in grants
    bob["s3"].list_objects(Bucket=b)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        bob["s3"].put_object(Bucket=b, Key="x", Body=b"1")
    assert error_code(e) == "AccessDenied"
    # Canned ACL through PUT ?acl, and through PUT Bucket on the owned bucket (OOS).
    s3.put_bucket_acl(Bucket=b, ACL="public-read")
    assert any(g["Grantee"].get("URI", "").endswith("AllUsers") for g in s3.get_bucket_acl(Bucket=b)["Grants"])
    s3.create_bucket(Bucket=b, ACL="private")
    assert len(s3.get_bucket_acl(Bucket=b)["Grants"]) == 1


def test_bad_acl_input(s3, bob):
    b = new_bucket(s3)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.put_bucket_acl(Bucket=b, ACL="public-read", GrantRead='id="x"')
    assert error_code(e) in ("InvalidRequest", "InvalidArgument")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.put_bucket_acl(Bucket=b, GrantRead='id="no-such-account"')
    assert error_code(e) == "InvalidArgument"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.create_bucket(Bucket="acl-" + uuid.uuid4().hex[:8], ACL="bogus-acl")
    assert error_code(e) == "InvalidArgument"


def test_object_acl_read_and_public_object(oosd, s3):
    b = new_bucket(s3)
    s3.put_object(Bucket=b, Key="pub", Body=b"open", ACL="public-read")
    s3.put_object(Bucket=b, Key="priv", Body=b"closed")
    anon = anonymous(oosd)
    assert anon.get_object(Bucket=b, Key="pub")["Body"].read() == b"open"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        anon.get_object(Bucket=b, Key="priv")
    assert error_code(e) == "AccessDenied"
    acl = s3.get_object_acl(Bucket=b, Key="priv")
    assert acl["Grants"][0]["Permission"] == "FULL_CONTROL"
    assert len(s3.get_object_acl(Bucket=b, Key="pub")["Grants"]) == 2


def test_put_object_acl(oosd, s3):
    """PutObjectAcl: canned, grant header and AccessControlPolicy body; the data stays, and only
    callers with WRITE_ACP may change it."""
    b = new_bucket(s3)
    s3.put_object(Bucket=b, Key="doc", Body=b"content", Metadata={"k": "v"})
    etag = s3.head_object(Bucket=b, Key="doc")["ETag"]
    anon = anonymous(oosd)
    with pytest.raises(botocore.exceptions.ClientError):
        anon.get_object(Bucket=b, Key="doc")
    s3.put_object_acl(Bucket=b, Key="doc", ACL="public-read")
    assert anon.get_object(Bucket=b, Key="doc")["Body"].read() == b"content"
    head = s3.head_object(Bucket=b, Key="doc")
    assert head["ETag"] == etag and head["Metadata"] == {"k": "v"}
    grants = s3.get_object_acl(Bucket=b, Key="doc")["Grants"]
    assert {g["Permission"] for g in grants} == {"FULL_CONTROL", "READ"}

    other = create_account(oosd, "objacl-" + uuid.uuid4().hex[:6])
    s3.put_object_acl(Bucket=b, Key="doc", GrantRead=f'id="{other["canonical_id"]}"')
    with pytest.raises(botocore.exceptions.ClientError):
        anon.get_object(Bucket=b, Key="doc")
    theirs = s3_for(oosd, other["access_key"], other["secret_key"])
    assert theirs.get_object(Bucket=b, Key="doc")["Body"].read() == b"content"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        theirs.put_object_acl(Bucket=b, Key="doc", ACL="public-read")
    assert error_code(e) == "AccessDenied"

    owner = s3.get_object_acl(Bucket=b, Key="doc")["Owner"]
    s3.put_object_acl(Bucket=b, Key="doc", AccessControlPolicy={
        "Owner": owner,
        "Grants": [{"Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"},
                    "Permission": "READ"}]})
    assert anon.get_object(Bucket=b, Key="doc")["Body"].read() == b"content"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.put_object_acl(Bucket=b, Key="missing", ACL="private")
    assert error_code(e) == "NoSuchKey"


def test_policy_put_get_delete_and_validation(s3):
    b = new_bucket(s3)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_bucket_policy(Bucket=b)
    assert error_code(e) == "NoSuchBucketPolicy"
    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
                                                   "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{b}/*"}]}
    s3.put_bucket_policy(Bucket=b, Policy=json.dumps(doc))
    assert json.loads(s3.get_bucket_policy(Bucket=b)["Policy"]) == doc
    bad = [
        "not json",
        json.dumps({"Version": "2012-10-17"}),
        json.dumps({"Statement": [{"Effect": "Maybe", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{b}/*"}]}),
        json.dumps({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:Fly", "Resource": f"arn:aws:s3:::{b}/*"}]}),
        json.dumps({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::other-bucket/*"}]}),
        json.dumps({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{b}/*",
                                   "Condition": {"StringSorta": {"aws:Referer": "x"}}}]}),
        json.dumps({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                                   "Resource": f"arn:aws:s3:::{b}/*", "Sid": "x" * 21000}]}),
    ]
    for text in bad:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            s3.put_bucket_policy(Bucket=b, Policy=text)
        assert error_code(e) == "MalformedPolicy", text[:80]
        assert e.value.response["Error"]["Message"]
    assert json.loads(s3.get_bucket_policy(Bucket=b)["Policy"]) == doc, "a bad policy changes nothing"
    assert s3.delete_bucket_policy(Bucket=b)["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(botocore.exceptions.ClientError):
        s3.get_bucket_policy(Bucket=b)


def test_policy_is_the_owners_alone(s3, bob):
    b = new_bucket(s3, ACL="public-read-write")
    for call in (lambda: bob["s3"].get_bucket_policy(Bucket=b), lambda: bob["s3"].delete_bucket_policy(Bucket=b),
                 lambda: bob["s3"].get_bucket_location(Bucket=b), lambda: bob["s3"].delete_bucket(Bucket=b)):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            call()
        assert error_code(e) == "AccessDenied"


def test_referer_white_list_hot_link_protection(oosd, s3):
    b = new_bucket(s3)
    s3.put_object(Bucket=b, Key="img.png", Body=b"png")
    s3.put_bucket_policy(Bucket=b, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "allow-site", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
         "Resource": f"arn:aws:s3:::{b}/*", "Condition": {"StringLike": {"aws:Referer": ["http://www.example.com/*"]}}},
        {"Sid": "deny-others", "Effect": "Deny", "Principal": "*", "Action": "s3:GetObject",
         "Resource": f"arn:aws:s3:::{b}/*", "Condition": {"StringNotLike": {"aws:Referer": ["http://www.example.com/*"]}}},
    ]}))
    url = f"{oosd.endpoint}/{b}/img.png"
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Referer": "http://www.example.com/page"})) as r:
        assert r.read() == b"png"
    for headers in ({"Referer": "http://evil.example.net/"}, {}):
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(urllib.request.Request(url, headers=headers))
        assert e.value.code == 403
    # The explicit Deny binds the owner too.
    with pytest.raises(botocore.exceptions.ClientError):
        s3.get_object(Bucket=b, Key="img.png")


def test_source_ip_condition(oosd, s3):
    b = new_bucket(s3)
    s3.put_object(Bucket=b, Key="f", Body=b"ip")
    def policy(cidr):
        return json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
            "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{b}/*", "Condition": {"IpAddress": {"aws:SourceIp": cidr}}}]})
    s3.put_bucket_policy(Bucket=b, Policy=policy("127.0.0.0/8"))
    assert anonymous(oosd).get_object(Bucket=b, Key="f")["Body"].read() == b"ip"
    s3.put_bucket_policy(Bucket=b, Policy=policy("10.0.0.0/8"))
    with pytest.raises(botocore.exceptions.ClientError):
        anonymous(oosd).get_object(Bucket=b, Key="f")


def test_non_primary_key_scope(oosd, s3):
    iam = iam_for(oosd)
    k = iam.create_access_key(Body=encode_params({"Action": "CreateAccessKey"}))["CreateAccessKeyResult"]["AccessKey"]
    ak = k["AccessKeyId"]
    np = s3_for(oosd, ak, k["SecretAccessKey"])
    b = new_bucket(s3)
    s3.put_object(Bucket=b, Key="outside", Body=b"o")
    np.put_object(Bucket=b, Key=f"{ak}/inside", Body=b"i")
    assert np.get_object(Bucket=b, Key=f"{ak}/inside")["Body"].read() == b"i"
    assert [o["Key"] for o in np.list_objects(Bucket=b, Prefix=ak)["Contents"]] == [f"{ak}/inside"]
    np.copy_object(Bucket=b, Key=f"{ak}/copy", CopySource=f"{b}/{ak}/inside")
    denied = [
        lambda: np.get_object(Bucket=b, Key="outside"),
        lambda: np.put_object(Bucket=b, Key="outside2", Body=b"x"),
        lambda: np.list_objects(Bucket=b),
        lambda: np.copy_object(Bucket=b, Key=f"{ak}/c2", CopySource=f"{b}/outside"),
        lambda: np.list_buckets(),
        lambda: np.create_bucket(Bucket="np-" + uuid.uuid4().hex[:8]),
        lambda: np.get_bucket_acl(Bucket=b),
    ]
    for call in denied:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            call()
        assert error_code(e) == "AccessDenied"
    r = np.delete_objects(Bucket=b, Delete={"Objects": [{"Key": f"{ak}/copy"}, {"Key": "outside"}]})
    assert [d["Key"] for d in r["Deleted"]] == [f"{ak}/copy"]
    assert [(x["Key"], x["Code"]) for x in r["Errors"]] == [("outside", "AccessDenied")]


def test_presigned_url_dies_with_its_key(oosd, s3):
    iam = iam_for(oosd)
    k = iam.create_access_key(Body=encode_params({"Action": "CreateAccessKey"}))["CreateAccessKeyResult"]["AccessKey"]
    ak = k["AccessKeyId"]
    b = new_bucket(s3)
    s3.put_object(Bucket=b, Key=f"{ak}/shared", Body=b"link")
    url = s3_for(oosd, ak, k["SecretAccessKey"]).generate_presigned_url(
        "get_object", Params={"Bucket": b, "Key": f"{ak}/shared"}, ExpiresIn=600)
    with urllib.request.urlopen(url) as r:
        assert r.read() == b"link"
    iam.update_access_key(Body=encode_params({"Action": "UpdateAccessKey", "AccessKeyId": ak, "Status": "Inactive"}))
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(url)
    assert e.value.code == 403
    iam.delete_access_key(Body=encode_params({"Action": "DeleteAccessKey", "AccessKeyId": ak}))
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(url)
    assert e.value.code == 403


def test_account_cli_and_disable(oosd):
    name = "cli-" + uuid.uuid4().hex[:6]
    a = create_account(oosd, name)
    assert set(a) == {"account", "canonical_id", "access_key", "secret_key"}
    s3 = s3_for(oosd, a["access_key"], a["secret_key"])
    assert s3.list_buckets()["Owner"] == {"ID": a["canonical_id"], "DisplayName": name}
    listed = account_cmd(oosd, "list", "--json")
    assert name in [x["account"] for x in json.loads(listed.stdout)]
    shown = json.loads(account_cmd(oosd, "show", name, "--json").stdout)
    assert shown["access_keys"][0]["access_key"] == a["access_key"] and "secret" not in json.dumps(shown)
    dup = account_cmd(oosd, "create", name)
    assert dup.returncode != 0 and "exists" in dup.stderr
    assert account_cmd(oosd, "disable", name).returncode == 0
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.list_buckets()
    assert error_code(e) == "AccessDenied"
    assert account_cmd(oosd, "enable", name).returncode == 0
    s3.list_buckets()


def test_admin_api_is_root_only(oosd, bob):
    import botocore.auth
    import botocore.awsrequest
    import botocore.credentials
    from conftest import ACCESS_KEY, SECRET_KEY

    def call(method, path, body=None, creds=(ACCESS_KEY, SECRET_KEY)):
        req = botocore.awsrequest.AWSRequest(method=method, url=oosd.endpoint + path, data=body,
                                             headers={"Content-Type": "application/json"} if body else {})
        botocore.auth.S3SigV4Auth(botocore.credentials.Credentials(*creds), "s3", "cn").add_auth(req)
        try:
            with urllib.request.urlopen(urllib.request.Request(req.url, data=body, method=method, headers=dict(req.headers))) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    name = "adm-" + uuid.uuid4().hex[:6]
    status, created = call("POST", "/_admin/accounts", json.dumps({"name": name}).encode())
    assert status == 200 and created["account"] == name and len(created["secret_key"]) == 40
    status, listed = call("GET", "/_admin/accounts")
    assert name in [a["account"] for a in listed]
    status, info = call("POST", f"/_admin/accounts/{name}/disable")
    assert status == 200 and info["disabled"] is True
    status, body = call("GET", "/_admin/accounts", creds=(bob["access_key"], bob["secret_key"]))
    assert status == 403 and b"AccessDenied" in body


def test_uploads_name_their_initiator_as_owner(s3, bob):
    """S3 reports the initiating account as both Initiator and Owner of an upload (and in
    ListParts), even in someone else's bucket."""
    b = new_bucket(s3, ACL="public-read-write")
    uid = bob["s3"].create_multipart_upload(Bucket=b, Key="bobs")["UploadId"]
    bob_id = bob["canonical_id"]
    [u] = s3.list_multipart_uploads(Bucket=b)["Uploads"]
    assert u["Initiator"]["ID"] == bob_id and u["Owner"]["ID"] == bob_id
    assert u["Owner"]["DisplayName"] == bob["account"]
    parts = s3.list_parts(Bucket=b, Key="bobs", UploadId=uid)
    assert parts["Initiator"]["ID"] == bob_id and parts["Owner"]["ID"] == bob_id
    s3.abort_multipart_upload(Bucket=b, Key="bobs", UploadId=uid)
    s3.delete_bucket(Bucket=b)
