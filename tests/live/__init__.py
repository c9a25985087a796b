"""Real server processes and real Socket.IO clients."""
