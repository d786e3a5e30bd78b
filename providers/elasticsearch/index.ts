export { ElasticsearchConfig } from './elasticsearch.config';
export { elasticsearch } from './elasticsearch.provider';
export type { Client as ElasticsearchClient } from '@elastic/elasticsearch';
