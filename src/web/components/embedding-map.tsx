import { useQuery } from '@tanstack/react-query';
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import createScatterplot from 'regl-scatterplot';
import { api, type EmbeddingMap as MapData, type SampleFilters } from '../api.js';
import { formatCount } from '../format.js';
import {
  colourByCategory,
  colourByField,
  colourByMembership,
  decodeCoordinates,
  matchesFilters,
  normalisePoints,
  PALETTE,
  topFolder,
  type Colouring,
} from '../map-points.js';
import { ErrorMessage } from './error-message.js';
import { embeddingStatusKey } from './embeddings-panel.js';

type Scatterplot = ReturnType<typeof createScatterplot>;
type Tool = 'pan' | 'lasso' | 'box';
/** Bigger points while there are few of them; at 100,000 and more they would cover each other. */
const pointSize = (points: number) => (points < 2_000 ? 8 : points < 100_000 ? 5 : 3);

/** What the map's canvas tells scripts and tests: each point's key and where it is drawn (CSS pixels in the canvas). */
export interface MapCanvas extends HTMLCanvasElement {
  pointsOnScreen?: () => Array<{ key: string; x: number; y: number; visible: boolean }>;
}

interface EmbeddingMapProps {
  dataset: string;
  filters: SampleFilters;
  selectedKeys: readonly string[];
  onSelect: (keys: string[]) => void;
  onOpenSample: (key: string) => void;
}

/**
 * The dataset's 2-D projection of its embeddings, drawn with WebGL (regl-scatterplot): pan and zoom
 * with the mouse, hover for the thumbnail, click to open a sample, lasso or box to select.
 * Points outside the grid's filters are hidden, so map and grid show one filtered set.
 */
export function EmbeddingMap(props: EmbeddingMapProps) {
  const status = useQuery({ queryKey: embeddingStatusKey(props.dataset), queryFn: () => api.embeddings(props.dataset) });
  const model = status.data?.models.find((candidate) => candidate.embedded > 0)?.name;
  const map = useQuery({
    queryKey: ['embedding-map', props.dataset, model, status.data?.models.find((candidate) => candidate.name === model)?.embedded],
    queryFn: () => api.embeddingMap(props.dataset, model!),
    enabled: model !== undefined,
    staleTime: Infinity,
  });
  if (status.isError) return <ErrorMessage error={status.error} />;
  if (status.isPending) return <p className="map-message">Loading the map…</p>;
  if (model === undefined)
    return <p className="map-message empty-state">No embeddings yet: press “Compute embeddings” above, then the map draws every sample.</p>;
  if (map.isError) return <ErrorMessage error={map.error} title="The map could not be made." />;
  if (map.isPending) return <p className="map-message">Projecting {formatCount(status.data.samples)} samples…</p>;
  return <MapPlot {...props} map={map.data} />;
}

function MapPlot({ dataset, filters, selectedKeys, onSelect, onOpenSample, map }: EmbeddingMapProps & { map: MapData }) {
  const id = useId();
  const canvas = useRef<MapCanvas>(null);
  const plot = useRef<Scatterplot | null>(null);
  // regl-scatterplot refuses a draw while the previous one runs, so draws wait for each other; a superseded one is skipped.
  const drawing = useRef<Promise<void>>(Promise.resolve());
  const [tool, setTool] = useState<Tool>('pan');
  const [colourBy, setColourBy] = useState('folder');
  const [hovered, setHovered] = useState<{ index: number; x: number; y: number } | null>(null);
  const [drawn, setDrawn] = useState(false);
  const points = useMemo(() => normalisePoints(decodeCoordinates(map.coordinates)), [map.coordinates]);
  const indexOfKey = useMemo(() => new Map(map.keys.map((key, index) => [key, index])), [map.keys]);

  const tags = useQuery({ queryKey: ['tags', dataset], queryFn: () => api.tags(dataset) });
  const colourTag = colourBy.startsWith('tag:') ? colourBy.slice(4) : undefined;
  const filterTag = useQuery({ queryKey: ['tag', dataset, filters.tag], queryFn: () => api.tag(dataset, filters.tag!), enabled: Boolean(filters.tag) });
  const fields = useQuery({ queryKey: ['metadata-fields', dataset], queryFn: () => api.metadataFields(dataset) });
  const colourField = colourBy.startsWith('field:') ? colourBy.slice(6) : undefined;
  const colourFieldValues = useQuery({
    queryKey: ['field-values', dataset, colourField],
    queryFn: () => api.fieldValues(dataset, colourField!),
    enabled: colourField !== undefined,
  });
  const colourTagDetails = useQuery({ queryKey: ['tag', dataset, colourTag], queryFn: () => api.tag(dataset, colourTag!), enabled: colourTag !== undefined });

  const colouring: Colouring = useMemo(() => {
    if (colourTag !== undefined) return colourByMembership(map.keys, new Set(colourTagDetails.data?.keys ?? []), colourTag);
    if (colourField !== undefined) {
      const values = colourFieldValues.data;
      const valueOf = new Map<string, number | string>(values ? values.keys.map((key, index) => [key, values.values[index]!]) : []);
      return colourByField(map.keys, valueOf, colourField);
    }
    if (colourBy === 'folder')
      return colourByCategory(
        map.keys.map((key) => topFolder(key) || '(top level)'),
        'other folders',
      );
    return { categories: new Uint8Array(map.keys.length), colours: [PALETTE[0]!], legend: [] };
  }, [colourBy, colourTag, colourTagDetails.data, colourField, colourFieldValues.data, map.keys]);

  const visible = useMemo(() => {
    const tagKeys = filterTag.data ? new Set(filterTag.data.keys) : undefined;
    const indices: number[] = [];
    map.keys.forEach((key, index) => {
      if (matchesFilters(key, filters, tagKeys)) indices.push(index);
    });
    return indices;
  }, [filters, filterTag.data, map.keys]);

  // The plot's callbacks see the latest props without the plot being made again.
  const selectedIndices = useMemo(() => selectedKeys.map((key) => indexOfKey.get(key)).filter((index) => index !== undefined), [selectedKeys, indexOfKey]);
  const latest = useRef({ onSelect, onOpenSample, keys: map.keys, visible, selectedIndices });
  useEffect(() => {
    latest.current = { onSelect, onOpenSample, keys: map.keys, visible, selectedIndices };
  });

  useEffect(() => {
    const element = canvas.current;
    if (!element) return;
    const { width, height } = element.getBoundingClientRect();
    const scatterplot = createScatterplot({
      canvas: element,
      width,
      height,
      pointSize: pointSize(latest.current.keys.length),
      pointSizeSelected: 2,
      pointOutlineWidth: 2,
      backgroundColor: [0, 0, 0, 0],
      lassoMinDelay: 0,
      lassoMinDist: 2,
      lassoColor: '#f28e2b',
    });
    plot.current = scatterplot;
    let lassoing = false;
    // destroy() drops every subscription.
    scatterplot.subscribe('lassoStart', () => (lassoing = true));
    scatterplot.subscribe('lassoEnd', () => (lassoing = false));
    scatterplot.subscribe('select', ({ points: indices }) => {
      const { keys, visible: shown } = latest.current;
      if (!lassoing && indices.length === 1) {
        // A click on a point opens it; it does not replace the selection.
        const kept = latest.current.selectedIndices;
        if (kept.length === 0) scatterplot.deselect({ preventEvent: true });
        else scatterplot.select(kept, { preventEvent: true });
        latest.current.onOpenSample(keys[indices[0]!]!);
        return;
      }
      const allowed = new Set(shown);
      latest.current.onSelect(indices.filter((index) => allowed.has(index)).map((index) => keys[index]!));
    });
    scatterplot.subscribe('deselect', () => latest.current.onSelect([]));
    scatterplot.subscribe('pointOver', (index) => {
      const position = scatterplot.getScreenPosition(index);
      if (position) setHovered({ index, x: position[0], y: position[1] });
    });
    scatterplot.subscribe('pointOut', () => setHovered(null));
    scatterplot.subscribe('view', () => setHovered(null));
    element.pointsOnScreen = () =>
      latest.current.keys.map((key, index) => {
        const [x, y] = scatterplot.getScreenPosition(index) ?? [Number.NaN, Number.NaN];
        return { key, x, y, visible: latest.current.visible.includes(index) };
      });
    const resize = new ResizeObserver(() => {
      const box = element.getBoundingClientRect();
      if (box.width > 0 && box.height > 0) void scatterplot.set({ width: box.width, height: box.height });
    });
    resize.observe(element);
    return () => {
      resize.disconnect();
      delete element.pointsOnScreen;
      scatterplot.destroy();
      plot.current = null;
    };
  }, []);

  useEffect(() => {
    const scatterplot = plot.current;
    if (!scatterplot) return;
    setDrawn(false);
    let current = true;
    drawing.current = drawing.current
      .then(async () => {
        if (!current || plot.current !== scatterplot) return;
        await scatterplot.set({ colorBy: 'valueA', pointColor: colouring.colours });
        await scatterplot.draw(
          { x: Array.from(points.x), y: Array.from(points.y), valueA: Array.from(colouring.categories) },
          { zDataType: 'categorical', preventFilterReset: true },
        );
        if (current) setDrawn(true);
      })
      .catch((error: unknown) => console.error('The map could not be drawn:', error));
    return () => {
      current = false;
    };
  }, [points, colouring]);

  useEffect(() => {
    const scatterplot = plot.current;
    if (!scatterplot || !drawn) return;
    if (visible.length === map.keys.length) void scatterplot.unfilter({ preventEvent: true });
    else void scatterplot.filter(visible, { preventEvent: true });
  }, [visible, drawn, map.keys.length]);

  useEffect(() => {
    const scatterplot = plot.current;
    if (!scatterplot || !drawn) return;
    if (selectedIndices.length === 0) scatterplot.deselect({ preventEvent: true });
    else scatterplot.select(selectedIndices, { preventEvent: true });
  }, [selectedIndices, drawn]);

  useEffect(() => {
    const modes: Record<Tool, { mouseMode: 'panZoom' | 'lasso'; lassoType: 'freeform' | 'rectangle' }> = {
      pan: { mouseMode: 'panZoom', lassoType: 'freeform' },
      lasso: { mouseMode: 'lasso', lassoType: 'freeform' },
      box: { mouseMode: 'lasso', lassoType: 'rectangle' },
    };
    void plot.current?.set(modes[tool]);
  }, [tool]);

  const hoveredKey = hovered === null ? undefined : map.keys[hovered.index];
  return (
    <section className="embedding-map" aria-label="Embedding map">
      <div className="map-toolbar">
        <div className="segmented" role="group" aria-label="Mouse tool">
          {(
            [
              ['pan', 'Pan & zoom'],
              ['lasso', 'Lasso'],
              ['box', 'Box'],
            ] as const
          ).map(([value, label]) => (
            <button key={value} type="button" aria-pressed={tool === value} onClick={() => setTool(value)}>
              {label}
            </button>
          ))}
        </div>
        <div className="field inline">
          <label htmlFor={`${id}-colour`}>Colour by</label>
          <select id={`${id}-colour`} value={colourBy} onChange={(event) => setColourBy(event.target.value)}>
            <option value="none">Nothing</option>
            <option value="folder">Folder</option>
            {tags.data?.map((tag) => (
              <option key={tag.name} value={`tag:${tag.name}`}>
                Tag: {tag.name}
              </option>
            ))}
            {fields.data?.map((field) => (
              <option key={field.field} value={`field:${field.field}`}>
                Field: {field.field}
              </option>
            ))}
          </select>
        </div>
        <span className="map-count" role="status">
          {visible.length === map.keys.length
            ? `${formatCount(map.points)} points (${map.method.toUpperCase()} of ${map.model})`
            : `${formatCount(visible.length)} of ${formatCount(map.points)} points match the filters`}
        </span>
        <span className="map-hint">Shift-drag to lasso in any tool; click a point to open it; scroll to zoom.</span>
      </div>
      <div className="map-stage">
        <canvas ref={canvas} className="embedding-map-canvas" data-points={map.points} data-drawn={drawn} aria-label="Embedding map of the samples" />
        {hoveredKey !== undefined && hovered && <HoverPreview dataset={dataset} sampleKey={hoveredKey} x={hovered.x} y={hovered.y} />}
      </div>
      {colouring.legend.length > 0 && (
        <ul className="map-legend" aria-label="Colours">
          {colouring.legend.map((entry) => (
            <li key={entry.label}>
              <span className="swatch" style={{ background: entry.colour }} /> {entry.label} ({formatCount(entry.count)})
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** The hovered sample's thumbnail and key beside the point. */
function HoverPreview({ dataset, sampleKey, x, y }: { dataset: string; sampleKey: string; x: number; y: number }) {
  const sample = useQuery({ queryKey: ['sample', dataset, sampleKey], queryFn: () => api.sample(dataset, sampleKey), staleTime: 5 * 60_000 });
  const src = sample.data?.thumbnailUrl ?? sample.data?.url ?? null;
  return (
    <div className="map-hover" style={{ left: x + 12, top: y + 12 }} role="tooltip">
      {src === null ? <span className="image-loading" /> : <img src={src} alt="" />}
      <span className="sample-key">{sampleKey}</span>
    </div>
  );
}
