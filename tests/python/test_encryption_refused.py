"""Server-side encryption is not implemented yet, so a request asking for it is refused with
501 NotImplemented and changes nothing: never store plaintext while telling the client its data
is encrypted."""

import base64
import hashlib

import botocore
import pytest

from conftest import error_code

SSE_C_KEY = b"k" * 32
SSE_C = {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": SSE_C_KEY}


def refused(call):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        call()
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501
    assert error_code(e) == "NotImplemented"
    return e


def missing(s3, bucket, key):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.head_object(Bucket=bucket, Key=key)
    return e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


@pytest.mark.parametrize("sse", [
    {"ServerSideEncryption": "AES256"},
    {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": "my-key"},
    {"ServerSideEncryption": "aws:kms", "BucketKeyEnabled": True},
    SSE_C,
], ids=["sse-s3", "sse-kms", "bucket-key", "sse-c"])
def test_put_with_encryption_is_refused_and_stores_nothing(s3, bucket, sse):
    e = refused(lambda: s3.put_object(Bucket=bucket, Key="secret", Body=b"plaintext", **sse))
    assert e.value.response["Error"].get("Message")
    assert e.value.response["ResponseMetadata"]["HTTPHeaders"].get("x-amz-request-id")
    assert missing(s3, bucket, "secret")


def test_multipart_and_copy_with_encryption_are_refused(s3, bucket):
    refused(lambda: s3.create_multipart_upload(Bucket=bucket, Key="mp", ServerSideEncryption="AES256"))
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    s3.put_object(Bucket=bucket, Key="plain", Body=b"1")
    refused(lambda: s3.copy_object(Bucket=bucket, Key="copy", CopySource=f"{bucket}/plain",
                                   ServerSideEncryption="AES256"))
    refused(lambda: s3.copy_object(Bucket=bucket, Key="copy", CopySource=f"{bucket}/plain",
                                   CopySourceSSECustomerAlgorithm="AES256", CopySourceSSECustomerKey=SSE_C_KEY))
    assert missing(s3, bucket, "copy")
    up = s3.create_multipart_upload(Bucket=bucket, Key="mp2")["UploadId"]
    refused(lambda: s3.upload_part(Bucket=bucket, Key="mp2", UploadId=up, PartNumber=1, Body=b"x", **SSE_C))
    assert s3.list_parts(Bucket=bucket, Key="mp2", UploadId=up).get("Parts", []) == []
    s3.abort_multipart_upload(Bucket=bucket, Key="mp2", UploadId=up)


def test_reads_with_a_customer_key_are_refused(s3, bucket):
    s3.put_object(Bucket=bucket, Key="plain", Body=b"1")
    refused(lambda: s3.get_object(Bucket=bucket, Key="plain", **SSE_C))
    # Without encryption headers the same object reads as before.
    assert s3.get_object(Bucket=bucket, Key="plain")["Body"].read() == b"1"


def test_bucket_default_encryption_is_refused(s3, bucket):
    refused(lambda: s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}))
