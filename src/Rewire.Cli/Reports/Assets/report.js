// The report page of `rewire report` and `rewire dashboard`: reads the JSON block #rewire-data and draws it with uPlot.
// Run data (prompts, completions, reasons, names) is only ever put into the document as text (textContent), never as
// markup. For tests, the body records what was drawn: data-plots-rendered (charts drawn with at least one point),
// data-points-rendered (finite points drawn, summed over charts), data-render-complete and, on the dashboard,
// data-live-updates (how many times new data arrived); script errors go to data-script-errors (see ReportPage.cs).
(function () {
  'use strict';

  var PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#be185d', '#4d7c0f', '#7c2d12', '#475569'];
  var DASHES = [[], [6, 4], [2, 3], [10, 3, 2, 3]];
  // Metrics shown first, in this order; every other numeric metric follows, grouped by its prefix.
  var FIRST = ['reward_mean', 'reward_std', 'accuracy', 'entropy', 'response_length_mean', 'response_length_max', 'kl', 'ppo_kl',
    'pg_loss', 'pg_clipfrac', 'clipfrac_low', 'clipfrac_high', 'grad_norm', 'learning_rate', 'zero_variance_share'];
  var STAGES = ['seconds_generate', 'seconds_score', 'seconds_update'];

  var charts = [];
  var drawn = {};
  var liveUpdates = 0;
  var sampleQuery = '';
  var failuresOnly = false;

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) for (var k in attrs) if (Object.prototype.hasOwnProperty.call(attrs, k)) e.setAttribute(k, attrs[k]);
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function fmt(v) {
    if (v === null || v === undefined || v === '') return '';
    if (typeof v === 'number') {
      if (!isFinite(v)) return String(v);
      if (Number.isInteger(v)) return String(v);
      var a = Math.abs(v);
      return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(3) : v.toFixed(4).replace(/0+$/, '').replace(/\.$/, '');
    }
    return String(v);
  }

  function section(parent, title, id) {
    var s = el('section', { id: id });
    s.appendChild(el('h2', null, title));
    parent.appendChild(s);
    return s;
  }

  function note(parent, text) { parent.appendChild(el('p', { 'class': 'note' }, text)); }

  function table(parent, headers, rows, numeric) {
    var t = el('table');
    var tr = el('tr');
    headers.forEach(function (h) { tr.appendChild(el('th', null, h)); });
    var thead = el('thead'); thead.appendChild(tr); t.appendChild(thead);
    var tbody = el('tbody');
    rows.forEach(function (r) {
      var row = el('tr');
      r.forEach(function (c, i) { row.appendChild(el('td', numeric && numeric[i] ? { 'class': 'num' } : null, fmt(c))); });
      tbody.appendChild(row);
    });
    t.appendChild(tbody);
    parent.appendChild(t);
    return t;
  }

  function publish() {
    var plots = 0, points = 0;
    for (var id in drawn) if (Object.prototype.hasOwnProperty.call(drawn, id)) { if (drawn[id] > 0) plots++; points += drawn[id]; }
    document.body.setAttribute('data-plots-rendered', String(plots));
    document.body.setAttribute('data-points-rendered', String(points));
  }

  var chartIds = 0;

  // y ticks: uPlot's increment when it gives a bounded number of distinct ticks, else the range in four steps (a series
  // that barely moves, such as an importance ratio of 1 ± 1e-8, would otherwise send uPlot's tick search past the
  // precision of a double).
  function ySplits(u, axisIdx, min, max, incr) {
    if (!isFinite(min) || !isFinite(max) || !(max > min)) return [isFinite(min) ? min : 0];
    if (!(incr > 0) || (max - min) / incr > 40 || min + incr === min) incr = (max - min) / 4;
    var out = [], start = Math.ceil(min / incr - 1e-9) * incr;
    for (var k = 0; k <= 40; k++) {
      var v = start + k * incr;
      if (v > max + incr * 1e-9) break;
      out.push(Math.abs(v) < incr * 1e-9 ? 0 : v);
    }
    return out;
  }

  function yValues(u, splits) {
    return splits.map(function (v) {
      if (v === 0) return '0';
      var a = Math.abs(v);
      if (a >= 1e5 || a < 1e-3) return v.toExponential(2);
      return String(parseFloat(v.toPrecision(7)));
    });
  }

  // The y range: uPlot's padded range, widened to at least a millionth of the values' magnitude, so a series that
  // barely moves (an importance ratio of 1 ± 1e-8) gets sensible ticks instead of an endless tick search.
  function yRange(u, min, max) {
    if (min === null || max === null || !isFinite(min) || !isFinite(max)) return [0, 1];
    var mag = Math.max(Math.abs(min), Math.abs(max));
    if (mag === 0) return [0, 1];
    var minSpan = mag * 1e-6;
    if (max - min < minSpan) { var c = (min + max) / 2; min = c - minSpan / 2; max = c + minSpan / 2; }
    return uPlot.rangeNum(min, max, 0.1, true);
  }

  // One chart: `series` is a list of {label, xs, ys, color, dash}; the x values of all series are joined into one axis.
  function chart(parent, title, series, opts) {
    opts = opts || {};
    series = series.filter(function (s) { return s.ys.some(function (v) { return v !== null && v !== undefined && isFinite(v); }); });
    if (series.length === 0) return null;
    var xsAll = {};
    series.forEach(function (s) { s.xs.forEach(function (x) { xsAll[x] = true; }); });
    var xs = Object.keys(xsAll).map(Number).sort(function (a, b) { return a - b; });
    var index = {};
    xs.forEach(function (x, i) { index[x] = i; });
    var data = [xs];
    var xLabel = opts.xLabel !== undefined ? opts.xLabel : 'step';
    var uSeries = [{ label: xLabel || 'x' }];
    series.forEach(function (s) {
      var ys = xs.map(function () { return null; });
      s.xs.forEach(function (x, i) { var v = s.ys[i]; ys[index[x]] = (v === null || v === undefined || !isFinite(v)) ? null : v; });
      data.push(ys);
      uSeries.push({ label: s.label, stroke: s.color, dash: s.dash, width: 1.5, spanGaps: true, points: { show: xs.length <= 60, size: 4 } });
    });
    var box = el('div', { 'class': 'chart', 'data-chart': title });
    box.appendChild(el('div', { 'class': 'title' }, title));
    parent.appendChild(box);
    var id = 'c' + (chartIds++);
    var width = Math.max(320, Math.min(620, (box.clientWidth || 480) - 14));
    var options = {
      width: width, height: opts.height || 210, series: uSeries,
      scales: { x: { time: false }, y: { range: yRange } },
      axes: [{ label: xLabel, size: 38, values: opts.xValues, splits: opts.xSplits }, { size: 62, splits: ySplits, values: yValues }],
      legend: { live: true },
      hooks: {
        draw: [function (u) {
          var n = 0;
          for (var i = 1; i < u.data.length; i++) {
            if (u.series[i].show === false) continue;
            for (var j = 0; j < u.data[i].length; j++) if (u.data[i][j] !== null && u.data[i][j] !== undefined) n++;
          }
          drawn[id] = n;
          publish();
        }]
      }
    };
    // A chart that cannot be drawn is recorded as a script error (the tests fail on it) and the page goes on.
    try { charts.push(new uPlot(options, data, box)); }
    catch (e) { window.rewireRecordError('chart "' + title + '": ' + (e && e.message || e)); }
    return box;
  }

  function color(i) { return PALETTE[i % PALETTE.length]; }
  function dash(i) { return DASHES[i % DASHES.length]; }
  function runLabel(runs, r, what) { return runs.length > 1 ? r.name + (what ? ': ' + what : '') : (what || r.name); }

  // A metric over steps, one line per run.
  function metricChart(grid, runs, key, title) {
    return chart(grid, title || key, runs.map(function (r, i) {
      return { label: runLabel(runs, r, null), xs: r.steps, ys: r.metrics[key] || [], color: color(i), dash: [] };
    }));
  }

  // Several metrics in one chart: a colour per metric, a dash pattern per run.
  function multiChart(grid, runs, keys, title) {
    var series = [];
    runs.forEach(function (r, ri) {
      keys.forEach(function (k, ki) { series.push({ label: runLabel(runs, r, k), xs: r.steps, ys: r.metrics[k] || [], color: color(ki), dash: dash(ri) }); });
    });
    return chart(grid, title, series);
  }

  function sum(xs) { var s = 0; (xs || []).forEach(function (v) { if (v !== null && isFinite(v)) s += v; }); return s; }

  function overview(main, d) {
    var s = section(main, 'Runs', 'runs');
    var rows = d.runs.map(function (r) {
      var m = r.summary || {};
      return [r.name, r.steps.length, m.accuracy_before_rl, m.accuracy_after_rl, m.greedy_accuracy_before_rl, m.greedy_accuracy_after_rl,
        m.pass_at_k_after_rl, m.seconds, m.completed === undefined ? 'running or no summary' : (m.completed ? 'yes' : 'no: ' + (m.stop_reason || '')), r.samples_total];
    });
    table(s, ['run', 'steps logged', 'accuracy before RL', 'accuracy after RL', 'greedy before', 'greedy after', 'pass@k after', 'seconds', 'completed', 'samples logged'],
      rows, [false, true, true, true, true, true, true, true, false, true]);
    d.runs.forEach(function (r) {
      if (r.problems && r.problems.length) {
        var p = el('div', { 'class': 'problems' });
        p.appendChild(el('strong', null, r.name + ': '));
        p.appendChild(document.createTextNode(r.problems.slice(0, 20).join('; ') + (r.problems.length > 20 ? '; and ' + (r.problems.length - 20) + ' more' : '')));
        s.appendChild(p);
      }
    });
  }

  function configSection(main, d) {
    var s = section(main, 'Configuration', 'config');
    if (d.runs.length > 1) {
      if (d.config_diff.length === 0) note(s, 'The resolved configurations are identical.');
      else {
        note(s, 'Resolved configuration keys whose values differ between the runs (empty: the run has no such key).');
        table(s, ['key'].concat(d.runs.map(function (r) { return r.name; })),
          d.config_diff.map(function (row) { return [row.key].concat(row.values.map(function (v) { return v === null ? '' : v; })); }));
      }
    }
    var det = el('details');
    det.appendChild(el('summary', null, 'Every resolved key' + (d.runs.length > 1 ? ' of each run' : '')));
    var keys = {};
    d.runs.forEach(function (r) { Object.keys(r.config).forEach(function (k) { keys[k] = true; }); });
    table(det, ['key'].concat(d.runs.map(function (r) { return r.name; })),
      Object.keys(keys).sort().map(function (k) { return [k].concat(d.runs.map(function (r) { return r.config[k] === undefined ? '' : r.config[k]; })); }));
    s.appendChild(det);
  }

  function heldOut(main, d) {
    var runs = d.runs.filter(function (r) { return r.summary && (r.summary.accuracy_before_rl !== undefined || r.summary.accuracy_after_rl !== undefined); });
    var s = section(main, 'Held-out accuracy before and after RL', 'heldout');
    if (runs.length === 0) { note(s, 'No run has a summary.json yet (it is written when a run ends).'); return; }
    var grid = el('div', { 'class': 'grid' }); s.appendChild(grid);
    var series = [];
    runs.forEach(function (r, i) {
      var m = r.summary;
      series.push({ label: runLabel(runs, r, 'sampled'), xs: [0, 1], ys: [m.accuracy_before_rl, m.accuracy_after_rl], color: color(i), dash: [] });
      series.push({ label: runLabel(runs, r, 'greedy'), xs: [0, 1], ys: [m.greedy_accuracy_before_rl, m.greedy_accuracy_after_rl], color: color(i), dash: [6, 4] });
    });
    chart(grid, 'accuracy on held-out prompts (solid: sampled, dashed: greedy)', series, {
      xLabel: '', xSplits: function () { return [0, 1]; },
      xValues: function (u, vals) { return vals.map(function (v) { return v === 0 ? 'before RL' : v === 1 ? 'after RL' : ''; }); }
    });
  }

  function rewardSection(main, d) {
    var s = section(main, 'Reward components and weights', 'rewards');
    note(s, 'Each component\'s mean over the samples logged at each step (run.samples_per_step of them), with the weights the configuration gives.');
    var grid = el('div', { 'class': 'grid' }); s.appendChild(grid);
    var any = false;
    var series = [];
    d.runs.forEach(function (r, ri) {
      Object.keys(r.components.means).forEach(function (c, ci) {
        series.push({ label: runLabel(d.runs, r, c), xs: r.components.steps, ys: r.components.means[c], color: color(ci), dash: dash(ri) });
      });
    });
    if (chart(grid, 'reward components (mean of logged samples)', series)) any = true;
    multiChart(grid, d.runs, ['reward_mean', 'accuracy'], 'total reward and accuracy');
    var dyn = {};
    d.runs.forEach(function (r) { Object.keys(r.metrics).forEach(function (k) { if (k.indexOf('reward_weighting/') === 0) dyn[k] = true; }); });
    if (Object.keys(dyn).length) multiChart(grid, d.runs, Object.keys(dyn).sort(), 'dynamic reward weights');
    if (!any) note(s, 'No logged sample carries reward components.');
    table(s, ['run', 'weights (reward.weights)', 'reward functions', 'weighting'], d.runs.map(function (r) {
      var w = Object.keys(r.weights.weights).map(function (k) { return k + '=' + fmt(r.weights.weights[k]); }).join(', ');
      return [r.name, w || 'the verifier\'s own total', (r.weights.functions || []).join(', ') || 'none', r.weights.weighting || 'none'];
    }));
  }

  function samplingSection(main, d) {
    var s = section(main, 'Zero-variance groups and sampler shares', 'sampling');
    var grid = el('div', { 'class': 'grid' }); s.appendChild(grid);
    metricChart(grid, d.runs, 'zero_variance_share', 'zero-variance share (groups whose rollouts all scored the same)');
    multiChart(grid, d.runs, ['groups_generated', 'groups_filtered', 'groups_trained'], 'groups generated, filtered, trained');
    var shares = {};
    d.runs.forEach(function (r) { Object.keys(r.metrics).forEach(function (k) { if (/^sampler\//.test(k) || /domain/.test(k)) shares[k] = true; }); });
    var keys = Object.keys(shares).sort();
    var accuracy = keys.filter(function (k) { return /domain_accuracy/.test(k); });
    var other = keys.filter(function (k) { return !/domain_accuracy/.test(k); });
    if (other.length) multiChart(grid, d.runs, other, 'sampler shares per domain (share of the trained groups)');
    if (accuracy.length) multiChart(grid, d.runs, accuracy, 'accuracy per domain (trained rollouts)');
    if (!keys.length) note(s, 'No per-domain sampler shares in these runs\' metrics (the trainer logs them when the training pool spans several domains).');
  }

  function timeSection(main, d) {
    var s = section(main, 'Time per stage', 'time');
    var grid = el('div', { 'class': 'grid' }); s.appendChild(grid);
    multiChart(grid, d.runs, STAGES, 'seconds per step by stage');
    metricChart(grid, d.runs, 'tokens_per_second', 'tokens per second');
    table(s, ['run', 'generate (s)', 'score (s)', 'update (s)', 'generate share'], d.runs.map(function (r) {
      var g = sum(r.metrics.seconds_generate), sc = sum(r.metrics.seconds_score), u = sum(r.metrics.seconds_update);
      var t = g + sc + u;
      return [r.name, g, sc, u, t > 0 ? g / t : null];
    }), [false, true, true, true, true]);
  }

  // The reward analysis of each run (docs/analysis.md): detectors with their statistic and threshold, each component's
  // contribution and correlations, and the additive versus multiplicative (KRC) combination.
  function analysisSection(main, d) {
    var runs = d.runs.filter(function (r) { return r.analysis; });
    var s = section(main, 'Reward analysis: what did the reward reward?', 'analysis');
    if (runs.length === 0) { note(s, 'No run has logged samples or metrics to analyse yet.'); return; }
    runs.forEach(function (r) {
      var a = r.analysis;
      if (d.runs.length > 1) s.appendChild(el('h3', null, r.name));
      note(s, a.steps + ' steps, ' + a.samples + ' samples analysed (' + a.samples_with_correctness + ' with a correctness)' +
        (a.held_out ? '; held-out accuracy ' + fmt(a.held_out.before) + ' → ' + fmt(a.held_out.after) : '; no held-out accuracy yet') + '.');
      var t = el('table', { 'class': 'detectors' });
      var head = el('tr');
      ['detector', 'status', 'statistic', 'value', 'fires from', 'finding'].forEach(function (h) { head.appendChild(el('th', null, h)); });
      t.appendChild(head);
      (a.detectors || []).forEach(function (f) {
        var tr = el('tr', { 'data-detector': f.detector, 'data-status': f.status });
        tr.appendChild(el('td', null, f.detector));
        var st = el('td', null, null);
        st.appendChild(el('span', { 'class': f.status === 'fired' ? 'badge on' : 'badge' }, f.status));
        tr.appendChild(st);
        tr.appendChild(el('td', null, f.statistic));
        tr.appendChild(el('td', { 'class': 'num' }, fmt(f.value)));
        tr.appendChild(el('td', { 'class': 'num' }, fmt(f.threshold)));
        tr.appendChild(el('td', null, f.message));
        t.appendChild(tr);
      });
      s.appendChild(t);
      if (a.components && a.components.length) {
        s.appendChild(el('h3', null, 'Components' + (d.runs.length > 1 ? ' (' + r.name + ')' : '')));
        table(s, ['component', 'weight', 'weight from', 'mean', 'contribution (mean w·r)', 'share', 'variance share', 'corr. with correct', 'corr. with accuracy (steps)', 'trend'],
          a.components.map(function (c) {
            return [c.name, c.weight, c.weight_source, c.mean, c.contribution, c.contribution_share, c.variance_share, c.correlation_with_correct, c.step_correlation_with_accuracy, c.trend];
          }), [false, true, false, true, true, true, true, true, true, true]);
      }
      if (a.combination) {
        var c = a.combination;
        s.appendChild(el('h3', null, 'Additive versus multiplicative (KRC) combination'));
        note(s, 'mean reward: additive ' + fmt(c.additive_mean) + ', KRC ' + fmt(c.multiplicative_mean) + '; correlation with correctness: additive ' +
          fmt(c.additive_correlation_with_correct) + ', KRC ' + fmt(c.multiplicative_correlation_with_correct) + '; KRC is zero on ' + fmt(c.multiplicative_zero_share) + ' of samples.');
        table(s, ['component', 'additive', 'additive share', 'KRC (Shapley)', 'KRC share', 'bottleneck share', 'zero share'],
          c.components.map(function (x) { return [x.name, x.additive, x.additive_share, x.multiplicative, x.multiplicative_share, x.bottleneck_share, x.zero_share]; }),
          [false, true, true, true, true, true, true]);
      }
    });
  }

  function metricsSection(main, d) {
    var s = section(main, 'Every metric over steps', 'metrics');
    var keys = {};
    d.runs.forEach(function (r) { Object.keys(r.metrics).forEach(function (k) { keys[k] = true; }); });
    var all = Object.keys(keys);
    if (all.length === 0) { note(s, 'No metrics logged yet.'); return; }
    var groups = {};
    all.forEach(function (k) { var g = k.indexOf('/') > 0 ? k.substring(0, k.indexOf('/')) : ''; (groups[g] = groups[g] || []).push(k); });
    var names = Object.keys(groups).sort();
    names.forEach(function (g) {
      var list = groups[g].sort(function (a, b) {
        var ia = FIRST.indexOf(a), ib = FIRST.indexOf(b);
        if (ia >= 0 || ib >= 0) return (ia < 0 ? 999 : ia) - (ib < 0 ? 999 : ib);
        return a < b ? -1 : a > b ? 1 : 0;
      });
      s.appendChild(el('h3', null, g === '' ? 'training' : g + '/'));
      var grid = el('div', { 'class': 'grid' }); s.appendChild(grid);
      list.forEach(function (k) { metricChart(grid, d.runs, k); });
    });
  }

  function samplesSection(main, d) {
    var s = section(main, 'Samples', 'samples');
    var total = 0, kept = 0;
    d.runs.forEach(function (r) { total += r.samples_total; kept += r.samples.length; });
    note(s, kept < total ? 'The newest ' + kept + ' of ' + total + ' logged samples.' : total + ' logged samples.');
    var controls = el('div', { 'class': 'controls' });
    var search = el('input', { type: 'search', id: 'sample-search', placeholder: 'search prompts, completions, reasons, components' });
    search.value = sampleQuery;
    var fail = el('input', { type: 'checkbox', id: 'sample-failures' });
    fail.checked = failuresOnly;
    var label = el('label'); label.appendChild(fail); label.appendChild(document.createTextNode(' failures only'));
    var count = el('span', { id: 'sample-count', 'class': 'note' });
    controls.appendChild(search); controls.appendChild(label); controls.appendChild(count);
    s.appendChild(controls);
    var wrap = el('div', { 'class': 'scroll' }); s.appendChild(wrap);
    var t = el('table', { id: 'samples-table' });
    var head = el('tr');
    var cols = (d.runs.length > 1 ? ['run'] : []).concat(['step', 'prompt', 'completion', 'reward', 'shaped', 'correct', 'components', 'failure reason', 'finish']);
    cols.forEach(function (c) { head.appendChild(el('th', null, c)); });
    var thead = el('thead'); thead.appendChild(head); t.appendChild(thead);
    var body = el('tbody'); t.appendChild(body);
    wrap.appendChild(t);
    var rows = [];
    d.runs.forEach(function (r) {
      r.samples.forEach(function (x) {
        var comps = Object.keys(x.components).map(function (k) { return k + '=' + fmt(x.components[k]); }).join(' ');
        var tr = el('tr');
        if (d.runs.length > 1) tr.appendChild(el('td', null, r.name));
        tr.appendChild(el('td', { 'class': 'num' }, x.step));
        tr.appendChild(el('td', { 'class': 'mono' }, x.prompt));
        tr.appendChild(el('td', { 'class': 'mono' }, x.completion));
        tr.appendChild(el('td', { 'class': 'num' }, fmt(x.reward)));
        tr.appendChild(el('td', { 'class': 'num' }, fmt(x.shaped_reward)));
        tr.appendChild(el('td', { 'class': x.correct === true ? 'good' : x.correct === false ? 'bad' : '' }, x.correct === null || x.correct === undefined ? '' : String(x.correct)));
        tr.appendChild(el('td', { 'class': 'mono' }, comps));
        tr.appendChild(el('td', null, x.failure_reason || ''));
        tr.appendChild(el('td', null, x.finish || ''));
        body.appendChild(tr);
        var failed = x.correct === false || !!x.failure_reason;
        rows.push({ tr: tr, text: [r.name, x.prompt_id, x.prompt, x.completion, comps, x.failure_reason || '', x.finish || ''].join('\n').toLowerCase(), failed: failed });
      });
    });
    function filter() {
      sampleQuery = search.value; failuresOnly = fail.checked;
      var q = sampleQuery.toLowerCase(), shown = 0;
      rows.forEach(function (row) {
        var ok = (!failuresOnly || row.failed) && (q === '' || row.text.indexOf(q) >= 0);
        row.tr.hidden = !ok;
        if (ok) shown++;
      });
      count.textContent = shown + ' of ' + rows.length + ' shown';
      document.body.setAttribute('data-samples-shown', String(shown));
    }
    search.addEventListener('input', filter);
    fail.addEventListener('change', filter);
    filter();
  }

  function render(d) {
    charts.forEach(function (c) { c.destroy(); });
    charts = []; drawn = {};
    var main = document.getElementById('report');
    while (main.firstChild) main.removeChild(main.firstChild);
    var sub = document.getElementById('subtitle');
    sub.textContent = d.runs.map(function (r) { return r.path; }).join('  ·  ') + '  ·  generated ' + d.generated_utc + (d.live ? '  ·  live' : '');
    overview(main, d);
    configSection(main, d);
    heldOut(main, d);
    rewardSection(main, d);
    samplingSection(main, d);
    timeSection(main, d);
    analysisSection(main, d);
    metricsSection(main, d);
    samplesSection(main, d);
    publish();
  }

  // The dashboard: fetch the run's data again every interval; redraw when a step, sample or summary was added.
  function signature(d) {
    return d.runs.map(function (r) { return r.steps.length + ':' + r.samples_total + ':' + (r.summary ? 1 : 0) + ':' + r.problems.length; }).join('|');
  }

  function follow(d) {
    var last = signature(d);
    function tick() {
      fetch(d.live.url, { cache: 'no-store' }).then(function (resp) {
        if (!resp.ok) throw new Error('the dashboard answered ' + resp.status + ' for ' + d.live.url);
        return resp.json();
      }).then(function (next) {
        var sig = signature(next);
        // Redraw in place: the page is rebuilt synchronously at the same height, so the reader keeps their place.
        if (sig !== last) { last = sig; var y = window.scrollY; render(next); window.scrollTo(0, y); }
        liveUpdates++;
        document.body.setAttribute('data-live-updates', String(liveUpdates));
        document.body.setAttribute('data-live-steps', String(next.runs.reduce(function (a, r) { return a + r.steps.length; }, 0)));
      }).catch(function (e) {
        document.body.setAttribute('data-live-error', String(e && e.message || e));
      }).then(function () { setTimeout(tick, d.live.interval_ms || 2000); });
    }
    setTimeout(tick, d.live.initial_delay_ms === undefined ? (d.live.interval_ms || 2000) : d.live.initial_delay_ms);
  }

  var data = JSON.parse(document.getElementById('rewire-data').textContent);
  render(data);
  document.body.setAttribute('data-render-complete', '1');
  if (data.live) follow(data);
})();
