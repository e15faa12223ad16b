// A small deployed app with Server-Sent Events and a WebSocket echo (RFC 6455, no library).
const http = require("http");
const crypto = require("crypto");

let sseClients = [];
const server = http.createServer((req, res) => {
  if (req.url === "/events") {
    res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" });
    res.write("data: hello\n\n");
    sseClients.push(res);
  } else if (req.url.startsWith("/send?")) {
    const msg = new URL(req.url, "http://x").searchParams.get("m");
    sseClients.forEach((c) => c.write("data: " + msg + "\n\n"));
    res.end("sent to " + sseClients.length);
  } else {
    res.end("node app");
  }
});

server.on("upgrade", (req, socket) => {
  const accept = crypto
    .createHash("sha1")
    .update(req.headers["sec-websocket-key"] + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")
    .digest("base64");
  const protocol = req.headers["sec-websocket-protocol"];
  socket.write(
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
      "Sec-WebSocket-Accept: " + accept + "\r\n" +
      (protocol ? "Sec-WebSocket-Protocol: " + protocol.split(",")[0].trim() + "\r\n" : "") +
      "\r\n"
  );
  send(socket, 1, Buffer.from("welcome " + req.url));
  let buffer = Buffer.alloc(0);
  let message = [];
  let messageOpcode = 0;
  socket.on("data", (data) => {
    buffer = Buffer.concat([buffer, data]);
    for (;;) {
      if (buffer.length < 2) return;
      const frameHeader = buffer[0];
      const opcode = buffer[0] & 0x0f;
      let len = buffer[1] & 0x7f;
      let offset = 2;
      if (len === 126) { if (buffer.length < 4) return; len = buffer.readUInt16BE(2); offset = 4; }
      else if (len === 127) { if (buffer.length < 10) return; len = Number(buffer.readBigUInt64BE(2)); offset = 10; }
      const masked = buffer[1] & 0x80;
      const mask = masked ? buffer.slice(offset, offset + 4) : null;
      if (masked) offset += 4;
      if (buffer.length < offset + len) return;
      const payload = Buffer.from(buffer.slice(offset, offset + len));
      if (mask) for (let i = 0; i < payload.length; i++) payload[i] ^= mask[i % 4];
      buffer = buffer.slice(offset + len);
      if (opcode === 8) { send(socket, 8, payload.slice(0, 2)); socket.end(); return; }
      if (opcode === 9) { send(socket, 10, payload); continue; }
      if (opcode !== 0) messageOpcode = opcode; // continuation frames (0) extend the message
      message.push(payload);
      const fin = (frameHeader & 0x80) !== 0;
      if (!fin) continue;
      const whole = Buffer.concat(message);
      message = [];
      if (messageOpcode === 1) send(socket, 1, Buffer.from("echo " + whole.toString()));
      if (messageOpcode === 2) send(socket, 2, whole);
    }
  });
  socket.on("error", () => {});
});

function send(socket, opcode, payload) {
  let header;
  if (payload.length < 126) header = Buffer.from([0x80 | opcode, payload.length]);
  else if (payload.length < 65536) { header = Buffer.alloc(4); header[0] = 0x80 | opcode; header[1] = 126; header.writeUInt16BE(payload.length, 2); }
  else { header = Buffer.alloc(10); header[0] = 0x80 | opcode; header[1] = 127; header.writeBigUInt64BE(BigInt(payload.length), 2); }
  socket.write(Buffer.concat([header, payload]));
}

server.listen(Number(process.env.PORT), "127.0.0.1");
