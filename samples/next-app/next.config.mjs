// bandmaster and the clients it loads stay plain Node packages, required at run time instead of
// bundled: they open sockets, and bandmaster loads each provider's client by name.

/** @type {import('next').NextConfig} */
export default {
  serverExternalPackages: ['bandmaster', 'reflect-metadata', 'ioredis', 'pg'],
};
