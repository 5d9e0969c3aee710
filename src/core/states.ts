/** The states a video and a task go through (the database stores these strings; the admin console lists them). */
export type VideoStatus = 'uploading' | 'processing' | 'ready' | 'failed' | 'removed';
export type TaskState = 'waiting' | 'queued' | 'running' | 'done' | 'failed' | 'dead' | 'cancelled';
export const VIDEO_STATES: VideoStatus[] = ['uploading', 'processing', 'ready', 'failed', 'removed'];
export const TASK_STATES: TaskState[] = ['waiting', 'queued', 'running', 'done', 'failed', 'dead', 'cancelled'];
