// Web Push in the service worker: show a pushed notification and open its page on a tap.
// Payload (JSON, from app/notify/messages.py): {title, body, url, tag}; no NIK, no name.
(function (root) {
  "use strict";
  var ICON = "/static/icons/icon-192.png";

  function parse(event) {
    if (!event || !event.data) { return {}; }
    try { return event.data.json() || {}; } catch (error) {
      try { return { body: event.data.text() }; } catch (e) { return {}; }
    }
  }

  // Only a page of this app may be opened from a notification.
  function localUrl(value) {
    try {
      var url = new URL(value || "/", root.location.origin);
      return url.origin === root.location.origin ? url.href : root.location.origin + "/";
    } catch (error) { return root.location.origin + "/"; }
  }

  function show(event) {
    var data = parse(event);
    var title = typeof data.title === "string" && data.title ? data.title : "Joss Banget Mas";
    return root.registration.showNotification(title, {
      body: typeof data.body === "string" ? data.body : "",
      tag: typeof data.tag === "string" ? data.tag : undefined,
      icon: ICON,
      badge: ICON,
      lang: "id",
      data: { url: localUrl(data.url) }
    });
  }

  // A tap opens the application's page: an open window already there is focused; else an
  // open window of the app is taken there; else a new window opens.
  function click(event) {
    var note = event.notification;
    var target = localUrl(note && note.data && note.data.url);
    if (note) { note.close(); }
    return root.clients.matchAll({ type: "window" }).then(function (windows) {
      var same = windows.filter(function (w) { return w.url === target; })[0];
      if (same) { return same.focus().catch(function () { return same; }); }
      var other = windows.filter(function (w) { return "navigate" in w; })[0];
      if (other) {
        return other.navigate(target).then(function (w) {
          return w && w.focus ? w.focus().catch(function () { return w; }) : w;
        });
      }
      return root.clients.openWindow(target);
    });
  }

  root.JBM = root.JBM || {};
  root.JBM.push = { show: show, click: click, localUrl: localUrl };
})(self);
