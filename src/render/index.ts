/**
 * Drawing the locomotion models: pose records of a world (`render()` on the locomotion envs),
 * orthographic SVG frames, animated SVG episodes, filmstrips and PNGs.
 * @module
 */
export { renderEpisodeSvg, type EpisodeSvgOptions } from './animate.js';
export { defaultView, planCamera, type CameraOptions, type CameraPlan } from './camera.js';
export { DEFAULT_GEOM_RGBA, DEFAULT_GROUND_RGBA } from './colors.js';
export { filmstripIndices, renderFilmstripPng, renderFilmstripSvg, type FilmstripOptions, type FilmstripPngOptions } from './filmstrip.js';
export { geomRgbaFromMjcf, geomRgbaFromMjcfFile } from './mjcf-colors.js';
export { svgToPng, type PngSize } from './png.js';
export { checkPose, poseFromQpos, RenderError, type BodyPose, type GeomPose, type PoseRecord } from './pose.js';
export { VIEWS, viewBasis, type View, type ViewAngles, type ViewBasis, type ViewName } from './projection.js';
export { locomotionEnvOf, recordEpisode, type EpisodePolicy, type RecordedEpisode, type RecordEpisodeOptions } from './record.js';
export { renderFrameSvg, type FrameOptions, type StyleOptions } from './svg-frame.js';
