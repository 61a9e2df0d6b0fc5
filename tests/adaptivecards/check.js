// Parses each card of a JSON list [[name, card], ...] on standard input with Microsoft's
// Adaptive Cards parser at version 1.5 and the Teams host config, and writes for each name
// what the parser reported (parse and validation events) and the action types it kept.
"use strict";
const fs = require("fs");
const path = require("path");
const AC = require("adaptivecards/dist/adaptivecards.js");

const hostConfig = new AC.HostConfig(JSON.parse(
  fs.readFileSync(path.join(__dirname, "microsoft-teams-light.json"), "utf8")));
const results = {};
for (const [name, json] of JSON.parse(fs.readFileSync(0, "utf8"))) {
  const card = new AC.AdaptiveCard();
  card.hostConfig = hostConfig;
  const context = new AC.SerializationContext(AC.Versions.v1_5);
  card.parse(json, context);
  const events = [];
  for (let i = 0; i < context.eventCount; i++) events.push(context.getEventAt(i).message);
  for (const event of card.validateProperties().validationEvents) events.push(event.message);
  const kept = JSON.stringify(card.toJSON(new AC.SerializationContext(AC.Versions.v1_5)));
  results[name] = {events, actions: kept.match(/"Action\.[A-Za-z]+"/g) || []};
}
process.stdout.write(JSON.stringify(results));
