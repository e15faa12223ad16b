// An ordinary Bolt app (Slack's @slack/bolt, unmodified) that BoltAppTest runs against the local
// workspace: the only local-workspace setting is the Web API URL, as for any Slack-compatible host.
// MODE=http listens for signed events on PORT (0: any free port); MODE=socket opens Socket Mode.
// Prints `READY <port>` once it can receive events.
const { App, LogLevel } = require('@slack/bolt');

const mode = process.env.MODE || 'http';
const app = new App({
  token: process.env.SLACK_BOT_TOKEN,
  signingSecret: process.env.SLACK_SIGNING_SECRET,
  appToken: process.env.SLACK_APP_TOKEN,
  socketMode: mode === 'socket',
  clientOptions: { slackApiUrl: process.env.SLACK_API_URL },
  logLevel: LogLevel.INFO,
});

app.message(/ping/, async ({ message, say, client }) => {
  await say({ text: `pong from bolt over ${mode}`, thread_ts: message.ts });
  await client.reactions.add({ channel: message.channel, timestamp: message.ts, name: 'white_check_mark' });
});

(async () => {
  const server = await app.start(mode === 'http' ? Number(process.env.PORT || 0) : undefined);
  const port = server && typeof server.address === 'function' ? server.address().port : 0;
  console.log(`READY ${port}`);
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
