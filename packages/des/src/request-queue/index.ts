export { FifoQueue, KeyedQueue, type Queueable, type RequestQueue } from './request-queue';
