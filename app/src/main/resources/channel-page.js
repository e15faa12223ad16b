// The channel page's charts (ChannelPage embeds the data as JSON in #channel-data).
(function () {
  var d = JSON.parse(document.getElementById("channel-data").textContent);
  function chart(id, title, xs, ys, label, opts) {
    var el = document.getElementById("chart-" + id);
    var points = ys.filter(function (v) { return v !== null; }).length;
    el.setAttribute("data-points", String(points));
    if (points === 0) {
      el.innerHTML = "<b>" + title + "</b><p>no data yet</p>";
      return;
    }
    var o = {
      title: title, width: 420, height: 220,
      scales: { x: { time: !(opts && opts.categories) } },
      series: [{}, { label: label, stroke: "#0969da", fill: "rgba(9,105,218,0.12)", width: 2,
        points: { show: true, size: 6 } }],
      axes: [{}, {}]
    };
    if (opts && opts.categories) {
      var names = opts.categories;
      o.axes[0] = { values: function (u, vals) { return vals.map(function (v) {
        return Number.isInteger(v) && names[v - 1] ? names[v - 1] : ""; }); } };
      o.scales.x.range = function () { return [0.5, names.length + 0.5]; };
    }
    new uPlot(o, [xs, ys], el);
  }
  function index(n) { var a = []; for (var i = 1; i <= n; i++) a.push(i); return a; }
  chart("commits", "Commits per day (main)", d.commitDays, d.commits, "commits");
  chart("ci-rate", "CI pass rate per day", d.ciDays, d.ciPassRate, "% passed");
  chart("ci-duration", "CI mean duration per day", d.ciDays, d.ciSeconds, "seconds");
  chart("cold", "Cold start per deployment", index(d.deployLabels.length), d.coldStartMs, "ms",
    { categories: d.deployLabels });
  chart("dbsize", "Database size per deployment", index(d.deployLabels.length), d.dbSizeKb, "KiB",
    { categories: d.deployLabels });
  chart("todo", "Files with TODO/FIXME on main (burndown)", d.todoDays, d.todoFiles, "files");
})();
