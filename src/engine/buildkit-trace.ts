// Decodes BuildKit progress as the Docker Engine API streams it (`moby.buildkit.trace`
// messages whose `aux` is a base64 protobuf moby.buildkit.v1.StatusResponse) into steps and logs.
// Field numbers from buildkit's api/services/control/control.proto.
import { boolField, bytesField, intField, messageFields, readMessage, stringField, stringFields, timestampField } from "./protobuf.ts";

export interface TraceVertex {
  digest: string;
  inputs: string[];
  name: string;
  cached: boolean;
  started?: number;
  completed?: number;
  error?: string;
}

export interface TraceStatus {
  id: string;
  vertex: string;
  name: string;
  current: number;
  total: number;
}

export interface TraceLog {
  vertex: string;
  stream: number;
  message: string;
}

export interface StatusUpdate {
  vertexes: TraceVertex[];
  statuses: TraceStatus[];
  logs: TraceLog[];
  warnings: { vertex: string; short: string }[];
}

const decoder = new TextDecoder();

export function decodeStatusResponse(base64: string): StatusUpdate {
  const message = readMessage(Buffer.from(base64, "base64"));
  const vertexes = messageFields(message, 1).map((vertex) => {
    const result: TraceVertex = {
      digest: stringField(vertex, 1) ?? "",
      inputs: stringFields(vertex, 2),
      name: stringField(vertex, 3) ?? "",
      cached: boolField(vertex, 4),
    };
    const started = timestampField(vertex, 5);
    const completed = timestampField(vertex, 6);
    const error = stringField(vertex, 7);
    if (started !== undefined) result.started = started;
    if (completed !== undefined) result.completed = completed;
    if (error) result.error = error;
    return result;
  });
  const statuses = messageFields(message, 2).map((status) => ({
    id: stringField(status, 1) ?? "",
    vertex: stringField(status, 2) ?? "",
    name: stringField(status, 3) ?? "",
    current: intField(status, 4) ?? 0,
    total: intField(status, 5) ?? 0,
  }));
  const logs = messageFields(message, 3).map((log) => ({
    vertex: stringField(log, 1) ?? "",
    stream: intField(log, 3) ?? 1,
    message: decoder.decode(bytesField(log, 4) ?? new Uint8Array()),
  }));
  const warnings = messageFields(message, 4).map((warning) => ({
    vertex: stringField(warning, 1) ?? "",
    short: decoder.decode(bytesField(warning, 3) ?? new Uint8Array()),
  }));
  return { vertexes, statuses, logs, warnings };
}
