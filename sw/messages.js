// Page <-> worker messages about the outbox, on one BroadcastChannel.
// Types: {type: "changed"} the outbox changed; {type: "progress", done, total} a replay
// is running; {type: "replayed", request, summary} a replay ended (request: who asked);
// {type: "replay", request} please send now (page -> worker).
(function (root) {
  "use strict";
  var NAME = "jbm-outbox";
  var channel = typeof BroadcastChannel === "function" ? new BroadcastChannel(NAME) : null;
  var listeners = [];

  if (channel) {
    channel.onmessage = function (event) { deliver(event.data); };
  }

  function deliver(message) {
    listeners.forEach(function (fn) {
      try { fn(message); } catch (error) { /* one bad listener never stops the others */ }
    });
  }

  function post(message) {
    if (channel) { channel.postMessage(message); }
    deliver(message);  // BroadcastChannel does not echo to its sender
  }

  // Returns a function that stops the listener.
  function on(fn) {
    listeners.push(fn);
    return function () {
      var i = listeners.indexOf(fn);
      if (i >= 0) { listeners.splice(i, 1); }
    };
  }

  root.JBM = root.JBM || {};
  root.JBM.messages = { post: post, on: on };
})(self);
