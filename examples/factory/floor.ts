/** The factory floor: walls, machine blocks, a conveyor with three gaps, the technicians' aisle. */
import type { GridPoint } from '@twinkit/abm';

/** The factory floor: walls, machine blocks, a conveyor with three gaps, the technicians' aisle. */
export interface FloorLayout {
  width: number;
  height: number;
  blocked: [number, number][];
  servicePoints: GridPoint[];
  machineBlocks: { x: number; y: number; width: number; height: number }[];
  /** The aisle along which technicians are posted (y, and the x range). */
  aisle: { y: number; from: number; to: number };
}

/** Returns `n` posts spread evenly along the floor's bottom aisle. */
export function technicianPosts(layout: FloorLayout, n: number): GridPoint[] {
  const { y, from, to } = layout.aisle;
  return Array.from({ length: n }, (_, i) => ({
    x: n === 1 ? from : Math.round(from + (i * (to - from)) / (n - 1)),
    y,
  }));
}

/** Returns the floor layout for `machines` machines (cells of 1 m). */
export function floorLayout(machines: number): FloorLayout {
  const width = 10 + 6 * machines;
  const height = 14;
  const blocked: [number, number][] = [];
  for (let x = 0; x < width; x++) blocked.push([x, 0], [x, height - 1]);
  for (let y = 1; y < height - 1; y++) blocked.push([0, y], [width - 1, y]);
  const servicePoints: GridPoint[] = [];
  const machineBlocks: FloorLayout['machineBlocks'] = [];
  for (let i = 0; i < machines; i++) {
    const x0 = 6 + 6 * i;
    machineBlocks.push({ x: x0, y: 3, width: 3, height: 2 });
    for (let dx = 0; dx < 3; dx++) for (let dy = 0; dy < 2; dy++) blocked.push([x0 + dx, 3 + dy]);
    servicePoints.push({ x: x0 + 1, y: 5 });
  }
  // A conveyor across the floor at y = 8 with gaps near both ends and in the middle.
  const gaps = new Set([3, Math.floor(width / 2), width - 4]);
  for (let x = 2; x < width - 2; x++) if (!gaps.has(x)) blocked.push([x, 8]);
  return {
    width,
    height,
    blocked,
    servicePoints,
    machineBlocks,
    aisle: { y: height - 3, from: 2, to: width - 3 },
  };
}
