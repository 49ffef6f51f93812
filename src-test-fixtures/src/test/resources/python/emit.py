# A python-socketio write-only emitter driving a cluster: python3 emit.py URL SKIP_SID DISCONNECT_SID ROOM
import sys

import socketio

url, skip_sid, disconnect_sid, room = sys.argv[1:5]
mgr = socketio.RedisManager(url, write_only=True)
mgr.emit('py-news', {'text': 'hello from python', 'n': 1}, namespace='/')
mgr.emit('py-multi', ('x', 2, b'\x00\x01\xff'), namespace='/', room=room)
mgr.emit('py-chat', 'to chat', namespace='/chat')
mgr.emit('py-skip', 'all but one', namespace='/', skip_sid=skip_sid)
mgr.disconnect(disconnect_sid, namespace='/')
print('done', flush=True)
