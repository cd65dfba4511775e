//! Rich pictures from a phone or a browser made safe to keep: decoded within
//! bounds, turned upright, scaled down, and encoded again from the pixels
//! alone, so that nothing the camera wrote beside them (GPS location, the
//! device, the time) reaches the study.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};

/// The longest side a kept picture has; larger ones are scaled down.
pub const MAX_PICTURE_SIDE: u32 = 2400;
/// The largest picture file taken.
pub const MAX_PICTURE_BYTES: usize = 25 << 20;
/// The largest picture decoded (a small file can claim huge dimensions).
const MAX_DECODED_SIDE: u32 = 16_000;
const MAX_DECODED_BYTES: u64 = 512 << 20;

/// A picture ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptPicture {
    /// Its bytes: PNG or JPEG, with no metadata.
    pub bytes: Vec<u8>,
    /// `png` or `jpg`.
    pub extension: &'static str,
    /// Its width in pixels.
    pub width: u32,
    /// Its height in pixels.
    pub height: u32,
}

/// Why a picture was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PictureError {
    /// Neither PNG nor JPEG.
    #[error("the file is not a PNG or JPEG picture: take a photo, or save the drawing, as one of those")]
    NotAPicture,
    /// Over [`MAX_PICTURE_BYTES`].
    #[error("the picture is {0} MiB, more than the {max} MiB taken: send a smaller photo", max = MAX_PICTURE_BYTES >> 20)]
    TooLarge(usize),
    /// It could not be read (damaged, or larger than a picture needs to be).
    #[error("the picture cannot be read: {0}")]
    Unreadable(String),
    /// It could not be written again.
    #[error("the picture cannot be written: {0}")]
    Unwritable(String),
}

/// Decodes a PNG or JPEG, turns it as its camera said it was held, scales it
/// to at most [`MAX_PICTURE_SIDE`] on its longer side, and encodes it again
/// (a photo as JPEG, a drawing as PNG), leaving every metadata block behind.
pub fn keep_picture(bytes: &[u8]) -> Result<KeptPicture, PictureError> {
    if bytes.len() > MAX_PICTURE_BYTES {
        return Err(PictureError::TooLarge(bytes.len() >> 20));
    }
    let format = match bytes {
        [0x89, b'P', b'N', b'G', ..] => ImageFormat::Png,
        [0xFF, 0xD8, 0xFF, ..] => ImageFormat::Jpeg,
        _ => return Err(PictureError::NotAPicture),
    };
    let unreadable = |e: image::ImageError| PictureError::Unreadable(e.to_string());
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_DECODED_SIDE);
    limits.max_image_height = Some(MAX_DECODED_SIDE);
    limits.max_alloc = Some(MAX_DECODED_BYTES);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(unreadable)?;
    // A phone stores a photo sideways and says how to turn it; the saying is dropped, so the turn is made now.
    let orientation = decoder.orientation().map_err(unreadable)?;
    let mut picture = DynamicImage::from_decoder(decoder).map_err(unreadable)?;
    picture.apply_orientation(orientation);
    if picture.width() > MAX_PICTURE_SIDE || picture.height() > MAX_PICTURE_SIDE {
        picture = picture.resize(MAX_PICTURE_SIDE, MAX_PICTURE_SIDE, image::imageops::FilterType::Triangle);
    }
    let (width, height) = (picture.width(), picture.height());
    let mut out = Cursor::new(Vec::new());
    let unwritable = |e: image::ImageError| PictureError::Unwritable(e.to_string());
    let extension = match format {
        ImageFormat::Png => {
            picture.write_to(&mut out, ImageFormat::Png).map_err(unwritable)?;
            "png"
        }
        _ => {
            let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85);
            DynamicImage::ImageRgb8(picture.to_rgb8()).write_with_encoder(encoder).map_err(unwritable)?;
            "jpg"
        }
    };
    Ok(KeptPicture { bytes: out.into_inner(), extension, width, height })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A phone's photo carrying EXIF with a GPS position (GPSLatitudeRef N,
    /// GPSLatitude 51, as an independent EXIF reader lists them).
    const PHOTO_WITH_GPS: &[u8] = include_bytes!("../../../testdata/pictures/photo-with-gps.jpg");

    #[test]
    fn a_photo_loses_its_location() {
        assert!(PHOTO_WITH_GPS.windows(4).any(|w| w == b"Exif"), "the test photo carries EXIF");
        let kept = keep_picture(PHOTO_WITH_GPS).expect("kept");
        assert_eq!((kept.extension, kept.width, kept.height), ("jpg", 640, 480));
        assert!(!kept.bytes.windows(4).any(|w| w == b"Exif"), "no EXIF block is written");
        assert!(!kept.bytes.windows(2).any(|w| w == [0xFF, 0xE1]), "no APP1 segment at all");
        image::load_from_memory(&kept.bytes).expect("still a picture");
    }

    #[test]
    fn a_large_picture_is_scaled_down_keeping_its_shape() {
        let mut png = Cursor::new(Vec::new());
        DynamicImage::ImageRgb8(image::RgbImage::new(3000, 1200)).write_to(&mut png, ImageFormat::Png).expect("encoded");
        let kept = keep_picture(&png.into_inner()).expect("kept");
        assert_eq!((kept.extension, kept.width, kept.height), ("png", MAX_PICTURE_SIDE, 960));
    }

    #[test]
    fn a_drawing_stays_a_png_and_anything_else_is_refused() {
        let mut png = Cursor::new(Vec::new());
        DynamicImage::ImageRgba8(image::RgbaImage::new(40, 30)).write_to(&mut png, ImageFormat::Png).expect("encoded");
        let kept = keep_picture(&png.into_inner()).expect("kept");
        assert_eq!((kept.extension, kept.width, kept.height), ("png", 40, 30));
        assert_eq!(keep_picture(b"<svg/>"), Err(PictureError::NotAPicture));
        assert!(matches!(keep_picture(&[0x89, b'P', b'N', b'G', 0, 0]), Err(PictureError::Unreadable(_))));
        assert_eq!(keep_picture(&vec![0u8; MAX_PICTURE_BYTES + 1]), Err(PictureError::TooLarge(25)));
    }
}
