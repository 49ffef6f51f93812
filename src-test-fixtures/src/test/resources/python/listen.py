# Prints the messages of a channel as python-socketio's PubSubManager reads them (a pickle, else
# JSON), one JSON line each: python3 listen.py URL COUNT
import base64
import json
import pickle
import sys

import redis

url, count = sys.argv[1], int(sys.argv[2])
pubsub = redis.Redis.from_url(url).pubsub()
pubsub.subscribe('socketio')
while True:
    m = pubsub.get_message(timeout=10)
    if m and m['type'] == 'subscribe':
        break
print('ready', flush=True)


def plain(value):
    if isinstance(value, bytes):
        return {'$bytes': base64.b64encode(value).decode()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


seen = 0
while seen < count:
    m = pubsub.get_message(timeout=30)
    if m is None:
        print('timeout', flush=True)
        sys.exit(1)
    if m['type'] != 'message':
        continue
    message = m['data']
    data = None
    try:
        data = pickle.loads(message)
        kind = 'pickle'
    except Exception:
        data = json.loads(message)
        kind = 'json'
    out = plain(data)
    out['$format'] = kind
    out['$data_type'] = type(data.get('data')).__name__
    print(json.dumps(out), flush=True)
    seen += 1
