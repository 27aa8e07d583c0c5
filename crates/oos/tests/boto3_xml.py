"""Serializes S3 calls with botocore and compares the XML bodies with the ones the Rust SDK
sent (canonical form: namespaces and the declaration dropped, siblings with different tags
in a stable order). Input on stdin: JSON list of {op, params, body}. Output: JSON list of
{op, same, boto3, sdk}."""
import json
import sys
import xml.etree.ElementTree as ET

import botocore.serialize
import botocore.session


def canon(xml_bytes):
    root = ET.fromstring(xml_bytes)

    def walk(e):
        tag = e.tag.split('}')[-1]
        kids = [walk(c) for c in e]
        kids.sort(key=lambda k: k[0])  # stable: same-tag siblings keep their order
        text = (e.text or '').strip()
        return (tag, text, kids)

    return walk(root)


model = botocore.session.get_session().get_service_model('s3')
ser = botocore.serialize.create_serializer('rest-xml')
out = []
for case in json.load(sys.stdin):
    req = ser.serialize_to_request(case['params'], model.operation_model(case['op']))
    boto = req['body']
    sdk = case['body'].encode()
    out.append({'op': case['op'], 'same': canon(boto) == canon(sdk),
                'boto3': boto.decode(), 'sdk': case['body']})
json.dump(out, sys.stdout)
